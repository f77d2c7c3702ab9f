//! The console's one search box: each kind found by each of its keys, within the
//! administrator's scope, each result a link to its card.

use crate::common::{each_backend, world, TestApp, OUTSIDE_CAMERA};
use axum::http::StatusCode;
use serde_json::Value;

async fn find(app: &TestApp, cookie: &str, q: &str) -> Value {
    let (status, found) = app.call("search", Some(cookie), &[("q", q)]).await;
    assert_eq!(status, StatusCode::OK, "{q}: {found}");
    found
}

/// The links of one kind of result, in order.
fn links(found: &Value, kind: &str) -> Vec<String> {
    found[kind].as_array().unwrap().iter().map(|h| h["href"].as_str().unwrap().to_string()).collect()
}

#[tokio::test]
async fn search_finds_each_kind_by_each_key_within_the_scope_and_links_to_cards() {
    each_backend(|app| async move {
        let w = world(&app).await;
        let gate: (i64,) = sqlx::query_as(
            "INSERT INTO intercoms (name, csa_code, department, flat_from, flat_to, search, created_at) \
             VALUES ('Gate North', 'OTHER-1', 'D1', 1, 10, 'gate north riga, other 3', 0) RETURNING id",
        )
        .fetch_one(&app.db().pool)
        .await
        .unwrap();
        let root = app.superadmin().await;
        app.create_admin("scoped", "admin", &["users-view"], &["IN-1"], &[]).await;
        let scoped = app.sign_in("scoped", "password-123").await.unwrap();
        let user_card = format!("/users/{}/user", w.user);

        // Users: by login, by name (any case, any part), by id; not sub-users.
        for q in ["ulla", "ULL", &w.user.to_string()] {
            assert_eq!(links(&find(&app, &root, q).await, "users"), std::slice::from_ref(&user_card), "{q}");
        }
        assert!(links(&find(&app, &root, "ulla-kid").await, "users").is_empty());

        // Cameras: by MAC in any notation or its beginning, by name, by id; only in scope.
        let outside = format!("/cameras/{OUTSIDE_CAMERA}/general");
        let inside = format!("/cameras/{}/general", w.inside);
        assert_eq!(links(&find(&app, &root, "0A-00-00-00-00-02").await, "cameras"), std::slice::from_ref(&outside));
        assert_eq!(
            links(&find(&app, &root, &OUTSIDE_CAMERA.to_string()).await, "cameras"),
            std::slice::from_ref(&outside)
        );
        assert!(links(&find(&app, &scoped, "0a:00:00:00:00:02").await, "cameras").is_empty(), "outside the scope");
        assert!(links(&find(&app, &scoped, &OUTSIDE_CAMERA.to_string()).await, "cameras").is_empty());
        assert_eq!(links(&find(&app, &scoped, "0a:00:00:00:00:0").await, "cameras"), std::slice::from_ref(&inside));
        assert_eq!(links(&find(&app, &scoped, "yard").await, "cameras"), std::slice::from_ref(&inside));
        assert_eq!(links(&find(&app, &root, "yard").await, "cameras").len(), 3);

        // Intercoms: by name, by address.
        let gate_card = format!("/intercoms/{}/general", gate.0);
        for q in ["Gate", "other 3"] {
            assert_eq!(links(&find(&app, &root, q).await, "intercoms"), std::slice::from_ref(&gate_card), "{q}");
        }

        // Locations: by CSA code or its beginning, by address; only those of the scope.
        assert_eq!(links(&find(&app, &root, "out-1").await, "locations"), ["/users?location=OUT-1"]);
        assert_eq!(links(&find(&app, &root, "OUT").await, "locations"), ["/users?location=OUT-1"]);
        assert!(links(&find(&app, &scoped, "OUT-1").await, "locations").is_empty(), "outside the scope");
        assert_eq!(links(&find(&app, &scoped, "riga inner").await, "locations"), ["/users?location=IN-1"]);
        let found = find(&app, &root, "riga inner").await;
        assert_eq!(
            (found["locations"][0]["title"].as_str(), found["locations"][0]["detail"].as_str()),
            (Some("Riga, Inner 1"), Some("CSA IN-1"))
        );

        // The indexes follow changes: a CSA code's address re-imported, a location made
        // later, an intercom renamed; by id; by fewer characters than a trigram.
        let rows = server::csa::parse("code,city,street,house,entrance\nOUT-1,Riga,Harbour,2,\nNEW-1,Cesis,Castle,9,\n")
            .unwrap();
        server::csa::import(app.db(), &rows).await.unwrap();
        assert_eq!(links(&find(&app, &root, "harbour").await, "locations"), ["/users?location=OUT-1"]);
        assert!(links(&find(&app, &root, "riga outer").await, "locations").is_empty(), "the old address");
        app.billing(serde_json::json!({"id": "search-loc", "type": "billing.create_location", "entity": "U-ULLA", "csa": "NEW-1"}))
            .await;
        assert_eq!(links(&find(&app, &root, "castle 9").await, "locations"), ["/users?location=NEW-1"]);
        sqlx::query("UPDATE intercoms SET name = 'Gate South', search = 'gate south riga, other 3' WHERE id = $1")
            .bind(gate.0)
            .execute(&app.db().pool)
            .await
            .unwrap();
        for q in ["gate south", &gate.0.to_string(), "Ga"] {
            assert_eq!(links(&find(&app, &root, q).await, "intercoms"), std::slice::from_ref(&gate_card), "{q}");
        }
        assert!(links(&find(&app, &root, "gate north").await, "intercoms").is_empty(), "the old name");

        // A location's link lists the users linked to it.
        let (_, at) = app.call("users", Some(&root), &[("location", "OTHER-1")]).await;
        let otto = app.scalar("SELECT id FROM users WHERE login = 'otto'").await;
        assert_eq!(
            at["rows"].as_array().unwrap().iter().map(|u| u["id"].as_i64().unwrap()).collect::<Vec<_>>(),
            [otto]
        );

        // Every link opens its card.
        for href in [user_card, outside, gate_card] {
            let (status, _, page) = app.get(&href, Some(&root)).await;
            assert_eq!(status, StatusCode::OK, "{href}");
            assert!(page.contains("ULLA") || page.contains("Yard") || page.contains("Gate South"), "{href}");
        }

        // Nothing to look for; too much to look for; no session.
        let empty = find(&app, &root, "  ").await;
        assert!(["users", "cameras", "intercoms", "locations"].iter().all(|k| links(&empty, k).is_empty()));
        assert_eq!(
            app.call("search", Some(&root), &[("q", &"x".repeat(101))]).await.0,
            StatusCode::UNPROCESSABLE_ENTITY
        );
        assert_eq!(app.call("search", None, &[("q", "ulla")]).await.0, StatusCode::UNAUTHORIZED);
        app
    })
    .await;
}
