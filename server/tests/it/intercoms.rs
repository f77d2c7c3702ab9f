//! Intercoms and their apartments (SPEC §5.3) through the router, on both databases.

use crate::common::{each_backend, TestApp};
use axum::http::StatusCode;
use serde_json::{json, Value};

async fn create_intercom(app: &TestApp, cookie: &str, csa: &str, from: i64, to: i64) -> (StatusCode, Value) {
    app.call_json(
        "save_intercom",
        Some(cookie),
        &json!({"id": null, "form": {"name": "Front door", "csa_code": csa, "department": "Entrance 2", "flat_from": from, "flat_to": to}}),
    )
    .await
}

/// Two live users' logins and ids, and a deleted one's login.
async fn people(app: &TestApp) -> (Vec<(i64, String)>, String) {
    let live: Vec<(i64, String)> = sqlx::query_as(
        "SELECT id, login FROM users WHERE parent_id IS NULL AND status <> 'deleted' ORDER BY id LIMIT 2",
    )
    .fetch_all(&app.db().pool)
    .await
    .unwrap();
    sqlx::query("UPDATE users SET status = 'deleted', deleted_at = 1 WHERE id = (SELECT MAX(id) FROM users WHERE parent_id IS NULL)")
        .execute(&app.db().pool)
        .await
        .unwrap();
    let (deleted,): (String,) =
        sqlx::query_as("SELECT login FROM users WHERE status = 'deleted' ORDER BY id DESC LIMIT 1")
            .fetch_one(&app.db().pool)
            .await
            .unwrap();
    (live, deleted)
}

#[tokio::test]
async fn apartments_link_keys_unlink_with_clear_errors_and_the_tab_follows() {
    each_backend(|app| async move {
        server::demo::generate(app.db(), 6, 21, app.now()).await.unwrap();
        let (csa,): (String,) =
            sqlx::query_as("SELECT code FROM csa_codes ORDER BY code LIMIT 1").fetch_one(&app.db().pool).await.unwrap();
        let root = app.superadmin().await;
        let (status, id) = create_intercom(&app, &root, &csa, 1, 40).await;
        assert_eq!(status, StatusCode::OK, "{id}");
        let intercom = id.as_i64().unwrap();
        let (live, deleted) = people(&app).await;
        let (user, login) = live[0].clone();
        let (sub_login,): (String,) = sqlx::query_as("SELECT login FROM users WHERE parent_id IS NOT NULL LIMIT 1")
            .fetch_one(&app.db().pool)
            .await
            .unwrap_or(("no-sub-users".into(),));

        let link = |flat: i64, login: &str| json!({"intercom_id": intercom, "flat": flat, "login": login});
        let (status, link_id) = app.call_json("link_apartment", Some(&root), &link(12, &login.to_uppercase())).await;
        assert_eq!(status, StatusCode::OK, "{link_id}");
        let link_id = link_id.as_i64().unwrap();
        // Every refusal names the problem and changes nothing.
        for (body, expected, words) in [
            (link(41, &login), StatusCode::UNPROCESSABLE_ENTITY, "outside this intercom's range 1–40"),
            (link(0, &login), StatusCode::UNPROCESSABLE_ENTITY, "outside"),
            (link(5, "nobody-has-this"), StatusCode::UNPROCESSABLE_ENTITY, "No user has the login"),
            (link(5, &deleted), StatusCode::UNPROCESSABLE_ENTITY, "was deleted"),
            (link(12, &login), StatusCode::CONFLICT, "already linked to flat 12"),
        ] {
            let (status, answer) = app.call_json("link_apartment", Some(&root), &body).await;
            assert_eq!(status, expected, "{body}: {answer}");
            assert!(answer.to_string().contains(words), "{answer}");
        }
        if sub_login != "no-sub-users" {
            let (status, answer) = app.call_json("link_apartment", Some(&root), &link(5, &sub_login)).await;
            assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{answer}");
        }
        let unknown = json!({"intercom_id": 999_999, "flat": 1, "login": login});
        assert_eq!(app.call_json("link_apartment", Some(&root), &unknown).await.0, StatusCode::NOT_FOUND);
        assert_eq!(app.scalar(&format!("SELECT COUNT(*) FROM apartment_links WHERE intercom_id = {intercom}")).await, 1);

        // Keys: normalised, unique per door, validated.
        let key = |code: &str| json!({"link_id": link_id, "code": code});
        let (status, key_id) = app.call_json("add_apartment_key", Some(&root), &key(" ab-1234 ")).await;
        assert_eq!(status, StatusCode::OK, "{key_id}");
        let (other_user, other_login) = live[1].clone();
        let (_, other_link) = app.call_json("link_apartment", Some(&root), &link(12, &other_login)).await;
        let (status, answer) =
            app.call_json("add_apartment_key", Some(&root), &json!({"link_id": other_link, "code": "AB-1234"})).await;
        assert_eq!(status, StatusCode::CONFLICT, "{answer}");
        assert!(answer.to_string().contains("already opens this door (flat 12)"), "{answer}");
        assert_eq!(app.call_json("add_apartment_key", Some(&root), &key("x")).await.0, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(
            app.call_json("add_apartment_key", Some(&root), &json!({"link_id": 999_999, "code": "ZZZZ"})).await.0,
            StatusCode::NOT_FOUND
        );

        // The user's Intercoms tab shows the flat and its key; the flats page shows both users.
        let (_, tab) = app.call("user_intercoms", Some(&root), &[("id", &user.to_string())]).await;
        let row = tab["rows"].as_array().unwrap().iter().find(|r| r["intercom_id"] == intercom).unwrap().clone();
        assert_eq!((row["flat"].clone(), row["keys"].clone(), row["department"].clone()), (json!(12), json!(["AB-1234"]), json!("Entrance 2")));
        let (_, flats) =
            app.call("intercom_apartments", Some(&root), &[("id", &intercom.to_string()), ("linked_only", "true")]).await;
        assert_eq!(flats["linked_flats"], 1);
        assert_eq!(flats["flats"][0]["links"].as_array().unwrap().len(), 2);
        let (_, all) = app
            .call("intercom_apartments", Some(&root), &[("id", &intercom.to_string()), ("linked_only", "false"), ("start", "1")])
            .await;
        assert_eq!(all["flats"].as_array().unwrap().len(), 20);
        assert_eq!(all["next"], 21);

        // The range cannot shrink past linked flats.
        let shrink = json!({"id": intercom, "form": {"name": "Front door", "csa_code": csa, "department": "Entrance 2", "flat_from": 1, "flat_to": 10}});
        let (status, answer) = app.call_json("save_intercom", Some(&root), &shrink).await;
        assert_eq!(status, StatusCode::CONFLICT, "{answer}");

        // Removing the key, then unlinking, empties the tab.
        app.call("remove_apartment_key", Some(&root), &[("key_id", &key_id.to_string())]).await;
        let (status, _) = app.call("unlink_apartment", Some(&root), &[("link_id", &link_id.to_string())]).await;
        assert_eq!(status, StatusCode::OK);
        let (_, tab) = app.call("user_intercoms", Some(&root), &[("id", &user.to_string())]).await;
        assert!(tab["rows"].as_array().unwrap().iter().all(|r| r["intercom_id"] != intercom));
        assert_eq!(app.scalar(&format!("SELECT COUNT(*) FROM apartment_links WHERE user_id = {other_user} AND intercom_id = {intercom}")).await, 1);

        // Every change is in the audit log, about the user.
        for action in ["apartment.link", "apartment.key_add", "apartment.key_remove", "apartment.unlink"] {
            let (_, log) = app.call("audit_log", Some(&root), &[("action", action), ("target", &login)]).await;
            let newest = &log["rows"][0];
            assert_eq!((&newest["action"], &newest["target_label"], &newest["actor_login"]), (&json!(action), &json!(login), &json!("root")), "{log}");
        }
        let (_, log) = app.call("audit_log", Some(&root), &[("action", "intercom.create")]).await;
        assert_eq!(log["rows"][0]["target_id"], intercom, "{log}");
        let (_, log) = app.call("audit_log", Some(&root), &[("action", "apartment.link"), ("target", &login)]).await;
        assert_eq!(log["rows"][0]["target_label"], login);
        app
    })
    .await;
}

#[tokio::test]
async fn intercoms_are_listed_searched_and_validated() {
    each_backend(|app| async move {
        server::demo::generate(app.db(), 4, 22, app.now()).await.unwrap();
        let (csa, street): (String, String) =
            sqlx::query_as("SELECT code, street FROM csa_codes ORDER BY code LIMIT 1")
                .fetch_one(&app.db().pool)
                .await
                .unwrap();
        let root = app.superadmin().await;
        assert_eq!(create_intercom(&app, &root, "NO-SUCH-CODE", 1, 10).await.0, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(create_intercom(&app, &root, &csa, 10, 1).await.0, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(create_intercom(&app, &root, &csa, 1, 20_000).await.0, StatusCode::UNPROCESSABLE_ENTITY);
        let (status, id) = create_intercom(&app, &root, &csa, 1, 10).await;
        assert_eq!(status, StatusCode::OK);
        let (_, list) = app.call("intercoms", Some(&root), &[("q", &street.to_uppercase())]).await;
        assert!(list["page"]["rows"].as_array().unwrap().iter().any(|r| r["id"] == id), "{list}");
        assert_eq!(list["can_edit"], true);
        let (_, card) = app.call("intercom", Some(&root), &[("id", &id.to_string())]).await;
        assert_eq!(card["intercom"]["flat_to"], 10);
        assert_eq!(app.call("intercom", Some(&root), &[("id", "999999")]).await.0, StatusCode::NOT_FOUND);
        // A viewer sees intercoms but cannot change them.
        app.create_admin("viewer", "admin", &["users-view"], &[], &[]).await;
        let viewer = app.sign_in("viewer", "password-123").await.unwrap();
        let (_, list) = app.call("intercoms", Some(&viewer), &[]).await;
        assert_eq!(list["can_edit"], false);
        assert_eq!(create_intercom(&app, &viewer, &csa, 1, 10).await.0, StatusCode::FORBIDDEN);
        app
    })
    .await;
}

/// A terminated subscriber stays linked (with its keys) until retention removes it, marked
/// as terminated; its keys no longer take new ones.
#[tokio::test]
async fn terminated_subscribers_are_marked_on_apartments() {
    each_backend(|app| async move {
        server::demo::generate(app.db(), 4, 5, app.now()).await.unwrap();
        let (csa,): (String,) =
            sqlx::query_as("SELECT code FROM csa_codes ORDER BY code LIMIT 1").fetch_one(&app.db().pool).await.unwrap();
        let root = app.superadmin().await;
        let (_, id) = create_intercom(&app, &root, &csa, 1, 10).await;
        let intercom = id.as_i64().unwrap();
        let (user, login, entity): (i64, String, String) = sqlx::query_as(
            "SELECT id, login, entity FROM users WHERE parent_id IS NULL AND status = 'active' ORDER BY id LIMIT 1",
        )
        .fetch_one(&app.db().pool)
        .await
        .unwrap();
        let (_, link) = app
            .call_json("link_apartment", Some(&root), &json!({"intercom_id": intercom, "flat": 3, "login": login}))
            .await;
        let link = link.as_i64().unwrap();
        let (status, _) =
            app.call_json("add_apartment_key", Some(&root), &json!({"link_id": link, "code": "KEY-1"})).await;
        assert_eq!(status, StatusCode::OK);
        let flats = || async {
            let (_, page) = app
                .call("intercom_apartments", Some(&root), &[("id", &intercom.to_string()), ("linked_only", "true")])
                .await;
            page["flats"][0]["links"][0].clone()
        };
        assert_eq!(flats().await["terminated"], false);
        app.billing(json!({"id": "term-1", "type": "billing.terminate_entity", "entity": entity})).await;
        let row = flats().await;
        assert_eq!((row["user_id"].as_i64(), row["terminated"].as_bool()), (Some(user), Some(true)), "{row}");
        assert_eq!(row["keys"][0]["code"], "KEY-1", "kept until retention");
        let (status, v) =
            app.call_json("add_apartment_key", Some(&root), &json!({"link_id": link, "code": "KEY-2"})).await;
        assert_eq!(status, StatusCode::CONFLICT, "{v}");
        assert!(v.to_string().contains("terminated"), "{v}");
        app
    })
    .await;
}
