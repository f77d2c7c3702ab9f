//! Access Settings (SPEC §3, §5.2) and administrator management (§5.4) through the router.

use crate::common::{each_backend, TestApp};
use axum::http::StatusCode;
use serde_json::{json, Value};

async fn stored(app: &TestApp, user: i64) -> Vec<String> {
    let rows: Vec<(String,)> = sqlx::query_as("SELECT slug FROM user_permissions WHERE user_id = $1 ORDER BY slug")
        .bind(user)
        .fetch_all(&app.db().pool)
        .await
        .unwrap();
    rows.into_iter().map(|(s,)| s).collect()
}

/// A billing user with level-1 licences only.
async fn user_with_level1(app: &TestApp) -> i64 {
    let post = |body: Value| async move {
        let req = axum::http::Request::post("/api/billing/v1/requests")
            .header("content-type", "application/json")
            .header("authorization", "Bearer test-billing-token")
            .body(axum::body::Body::from(body.to_string()))
            .unwrap();
        let (status, _, text) = app.request(req).await;
        assert_eq!(status, StatusCode::OK, "{text}");
        serde_json::from_str::<Value>(&text).unwrap()
    };
    let created = post(json!({"id": "a-1", "type": "billing.new_entity", "entity": "E-ACC", "login": "acc",
        "password": "user-password", "name": "Access Person"}))
    .await;
    post(json!({"id": "a-2", "type": "billing.set_licences", "entity": "E-ACC", "analytics_l1": 2, "analytics_l2": 0, "analytics_l3": 0})).await;
    created["user_id"].as_i64().unwrap()
}

async fn view(app: &TestApp, cookie: &str, user: i64) -> Value {
    let (status, v) = app.call("user_access", Some(cookie), &[("id", &user.to_string())]).await;
    assert_eq!(status, StatusCode::OK, "{v}");
    v
}

async fn save(app: &TestApp, cookie: &str, user: i64, slugs: &[&str], version: i64) -> (StatusCode, Value) {
    app.call_json("save_user_access", Some(cookie), &json!({"id": user, "slugs": slugs, "version": version})).await
}

#[tokio::test]
async fn access_settings_save_refuse_stale_saves_and_unlicensed_analytics() {
    each_backend(|app| async move {
        let user = user_with_level1(&app).await;
        let cookie = app.superadmin().await;
        let before = view(&app, &cookie, user).await;
        assert_eq!(before["can_edit"], true);
        let blocked: Vec<String> =
            before["blocked"].as_array().unwrap().iter().map(|b| b[0].as_str().unwrap().to_string()).collect();
        assert!(
            blocked.contains(&"analytic-cases-face".to_string())
                && blocked.contains(&"analytic-cases-person-counting".to_string())
        );
        assert!(
            !blocked.contains(&"analytic-cases-smoke-fire".to_string())
                && !blocked.contains(&"cameras-live".to_string())
        );
        let version = before["version"].as_i64().unwrap();
        let defaults = stored(&app, user).await;
        assert!(defaults.contains(&"analytic-cases-face".to_string()), "defaults hold every analytics slug");

        // Drop face (level 3, stored) and grant sub-user management; keep level-3 licence plate.
        let wanted =
            ["cameras-live", "subusers-manage", "analytic-cases-motion-detect", "analytic-cases-license-plate"];
        let (status, v) = save(&app, &cookie, user, &wanted, version).await;
        assert_eq!(status, StatusCode::OK, "{v}");
        assert_eq!(v, json!(version + 1));
        let mut expected: Vec<String> = wanted.iter().map(|s| s.to_string()).collect();
        expected.sort();
        assert_eq!(stored(&app, user).await, expected);

        // The audit entry names what was added and removed.
        let (details,): (String,) =
            sqlx::query_as("SELECT details FROM audit_entries WHERE action = 'user.access_change' AND target_id = $1")
                .bind(user)
                .fetch_one(&app.db().pool)
                .await
                .unwrap();
        let details: Value = serde_json::from_str(&details).unwrap();
        assert_eq!(details["added"], json!(["subusers-manage"]));
        assert!(details["removed"].as_array().unwrap().contains(&json!("analytic-cases-face")));
        assert!(!details["removed"].as_array().unwrap().contains(&json!("analytic-cases-license-plate")));

        // A save from the old version is refused and changes nothing.
        let (status, v) = save(&app, &cookie, user, &["cameras-live"], version).await;
        assert_eq!(status, StatusCode::CONFLICT, "{v}");
        assert!(v.to_string().contains("Someone else changed"), "{v}");
        assert_eq!(stored(&app, user).await, expected);

        // Face (level 3, no licences, no longer stored) cannot be granted, even posted directly.
        let (status, v) = save(&app, &cookie, user, &["cameras-live", "analytic-cases-face"], version + 1).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
        assert!(v.to_string().contains("analytic-cases-face needs level 3 analytics licences"), "{v}");
        let (status, _) = save(&app, &cookie, user, &["cameras-live", "made-up-slug"], version + 1).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(stored(&app, user).await, expected);

        // A stored level-3 slug may stay; a level-1 one may be newly granted.
        let (status, v) =
            save(&app, &cookie, user, &["analytic-cases-license-plate", "analytic-cases-smoke-fire"], version + 1)
                .await;
        assert_eq!(status, StatusCode::OK, "{v}");

        // Unknown user: 404; a viewer without users-access-edit: 403 and can_edit false.
        assert_eq!(save(&app, &cookie, 999_999, &[], 1).await.0, StatusCode::NOT_FOUND);
        app.create_admin("viewer", "admin", &["users-view"], &[], &[]).await;
        let viewer = app.sign_in("viewer", "password-123").await.unwrap();
        assert_eq!(view(&app, &viewer, user).await["can_edit"], false);
        assert_eq!(save(&app, &viewer, user, &[], version + 2).await.0, StatusCode::FORBIDDEN);
        app
    })
    .await;
}

fn admin_form(login: &str, permissions: &[&str], scope_all: bool, csa: &str) -> Value {
    json!({"login": login, "name": format!("{login} name"), "role": "admin", "permissions": permissions,
           "scope_all": scope_all, "scope_csa": csa, "scope_cameras": ""})
}

#[tokio::test]
async fn administrators_are_managed_audited_and_cannot_escalate() {
    each_backend(|app| async move {
        server::demo::generate(app.db(), 3, 9, app.now()).await.unwrap();
        let (csa,): (String,) =
            sqlx::query_as("SELECT code FROM csa_codes ORDER BY code LIMIT 1").fetch_one(&app.db().pool).await.unwrap();
        let root = app.superadmin().await;
        let form = admin_form("ops", &["users-view", "admins-manage"], false, &csa);
        let (status, id) =
            app.call_json("create_admin", Some(&root), &json!({"form": form, "password": "ops-password"})).await;
        assert_eq!(status, StatusCode::OK, "{id}");
        let id = id.as_i64().unwrap();
        let (_, list) = app.call("admins", Some(&root), &[]).await;
        let ops = list.as_array().unwrap().iter().find(|a| a["login"] == "ops").unwrap().clone();
        assert_eq!(ops["scope_csa"], json!([csa]));
        assert_eq!(ops["permissions"], json!(["users-view", "admins-manage"]));

        // Bad input: short password, duplicate login, unknown CSA code, unknown camera.
        let create = |form: Value, pw: &str| json!({"form": form, "password": pw});
        assert_eq!(app.call_json("create_admin", Some(&root), &create(admin_form("x", &[], true, ""), "short")).await.0, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(app.call_json("create_admin", Some(&root), &create(admin_form("OPS", &[], true, ""), "long-password")).await.0, StatusCode::CONFLICT);
        assert_eq!(app.call_json("create_admin", Some(&root), &create(admin_form("y", &[], false, "NO-SUCH"), "long-password")).await.0, StatusCode::UNPROCESSABLE_ENTITY);
        let mut bad_cam = admin_form("z", &[], false, "");
        bad_cam["scope_cameras"] = json!("12 abc");
        assert_eq!(app.call_json("create_admin", Some(&root), &create(bad_cam, "long-password")).await.0, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(app.scalar("SELECT COUNT(*) FROM administrators").await, 2);

        // The scoped ops admin cannot escalate: no superadmin, no permission it lacks, no wider scope.
        let ops_cookie = app.sign_in("ops", "ops-password").await.unwrap();
        let mut sup = admin_form("sup", &[], true, "");
        sup["role"] = json!("superadmin");
        for form in [sup, admin_form("aud", &["audit-view"], false, ""), admin_form("wide", &[], true, "")] {
            let (status, v) = app.call_json("create_admin", Some(&ops_cookie), &create(form, "long-password")).await;
            assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
        }
        let (status, v) = app
            .call_json("update_admin", Some(&ops_cookie), &json!({"id": id, "form": admin_form("ops", &["users-view", "admins-manage", "audit-view"], false, &csa)}))
            .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
        let (status, _) = app.call_json("create_admin", Some(&ops_cookie), &create(admin_form("helper", &["users-view"], false, &csa), "long-password")).await;
        assert_eq!(status, StatusCode::OK);

        // Disabling ends the sessions at once; the audit log tells who did what.
        let (status, v) = app.call("set_admin_disabled", Some(&root), &[("id", &id.to_string()), ("disabled", "true")]).await;
        assert_eq!(status, StatusCode::OK, "{v}");
        assert_eq!(app.call("me", Some(&ops_cookie), &[]).await.0, StatusCode::UNAUTHORIZED);
        assert!(app.sign_in("ops", "ops-password").await.is_err());
        app.call("set_admin_disabled", Some(&root), &[("id", &id.to_string()), ("disabled", "false")]).await;
        let (status, _) = app.call_json("reset_admin_password", Some(&root), &json!({"id": id, "password": "new-ops-password"})).await;
        assert_eq!(status, StatusCode::OK);
        assert!(app.sign_in("ops", "new-ops-password").await.is_ok());
        let (status, _) = app.call("set_admin_disabled", Some(&root), &[("id", "1"), ("disabled", "true")]).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "nobody disables themselves");

        let (status, log) = app.call("audit_log", Some(&root), &[("action", "admin.disable")]).await;
        assert_eq!(status, StatusCode::OK, "{log}");
        assert_eq!(log["total"], 1);
        assert_eq!(log["rows"][0]["target_label"], "ops");
        assert_eq!(log["rows"][0]["actor_login"], "root");
        let (_, log) = app.call("audit_log", Some(&root), &[("actor", "OPS")]).await;
        assert!(log["rows"].as_array().unwrap().iter().any(|r| r["action"] == "admin.create" && r["target_label"] == "helper"));
        let (_, log) = app.call("audit_log", Some(&root), &[("target", "help")]).await;
        assert!(log["rows"].as_array().unwrap().iter().all(|r| r["target_label"] == "helper"));
        assert_eq!(app.call("audit_log", Some(&root), &[("action", "nonsense")]).await.0, StatusCode::UNPROCESSABLE_ENTITY);
        app
    })
    .await;
}

#[tokio::test]
async fn the_audit_log_pages_by_keyset_newest_first() {
    each_backend(|app| async move {
        let root = app.superadmin().await;
        for i in 0..30 {
            let entry = app::backend::audit::Entry {
                actor_kind: "admin",
                actor_id: None,
                actor_login: "someone",
                impersonator_id: None,
                action: "admin.sign_in_failed",
                target_kind: "admin",
                target_id: None,
                target_label: "someone",
                user_id: None,
                details: json!({"attempt": i}),
            };
            app::backend::audit::record_db(app.db(), app.now() + i, entry).await.unwrap();
        }
        let (_, first) = app.call("audit_log", Some(&root), &[("action", "admin.sign_in_failed")]).await;
        let total = first["total"].as_i64().unwrap();
        assert_eq!(total, 30, "{first}");
        let mut ids: Vec<i64> = first["rows"].as_array().unwrap().iter().map(|r| r["id"].as_i64().unwrap()).collect();
        let mut next = first["next"].as_str().map(str::to_string);
        while let Some(after) = next {
            let (_, page) =
                app.call("audit_log", Some(&root), &[("action", "admin.sign_in_failed"), ("after", &after)]).await;
            ids.extend(page["rows"].as_array().unwrap().iter().map(|r| r["id"].as_i64().unwrap()));
            next = page["next"].as_str().map(str::to_string);
        }
        assert_eq!(ids.len() as i64, total);
        assert!(ids.windows(2).all(|w| w[0] > w[1]), "newest first, no repeats: {ids:?}");
        app
    })
    .await;
}

/// A sub-user of `parent`, created directly in the database.
async fn sub_user(app: &TestApp, parent: i64, slugs: &[&str]) -> i64 {
    let (id,): (i64,) = sqlx::query_as(
        "INSERT INTO users (parent_id, login, name, password_hash, search, created_at, updated_at) \
         VALUES ($1, 'kid', 'Kid', 'x', 'kid', 0, 0) RETURNING id",
    )
    .bind(parent)
    .fetch_one(&app.db().pool)
    .await
    .unwrap();
    for s in slugs {
        sqlx::query("INSERT INTO user_permissions (user_id, slug) VALUES ($1, $2)")
            .bind(id)
            .bind(s)
            .execute(&app.db().pool)
            .await
            .unwrap();
    }
    id
}

#[tokio::test]
async fn sub_user_permissions_stay_within_the_parents() {
    each_backend(|app| async move {
        let parent = user_with_level1(&app).await;
        // The parent keeps cameras-live, ptz-control, subusers-manage and two analytics slugs.
        sqlx::query("DELETE FROM user_permissions WHERE user_id = $1 AND slug NOT IN \
                     ('cameras-live', 'ptz-control', 'subusers-manage', 'analytic-cases-smoke-fire', 'analytic-cases-face')")
            .bind(parent)
            .execute(&app.db().pool)
            .await
            .unwrap();
        sqlx::query("INSERT INTO user_permissions (user_id, slug) VALUES ($1, 'subusers-manage') ON CONFLICT DO NOTHING")
            .bind(parent)
            .execute(&app.db().pool)
            .await
            .unwrap();
        // Face (level 3) was stored before the parent lost level-3 licences.
        let kid = sub_user(&app, parent, &["cameras-live", "analytic-cases-face"]).await;
        let root = app.superadmin().await;
        let (status, v) = app.call("sub_user_access", Some(&root), &[("id", &kid.to_string())]).await;
        assert_eq!(status, StatusCode::OK, "{v}");
        let hidden: Vec<&str> = v["hidden"].as_array().unwrap().iter().map(|s| s.as_str().unwrap()).collect();
        assert!(hidden.contains(&"subusers-manage") && hidden.contains(&"marks-index") && hidden.contains(&"analytic-cases-license-plate"));
        assert!(!hidden.contains(&"ptz-control") && !hidden.contains(&"analytic-cases-smoke-fire"));
        assert_eq!(v["blocked"][0][0], "analytic-cases-face", "stored but not effective: {v}");
        let version = v["version"].as_i64().unwrap();
        let save = |slugs: Vec<&str>, version: i64| {
            let body = json!({"id": kid, "slugs": slugs, "version": version});
            let root = root.clone();
            let app = &app;
            async move { app.call_json("save_sub_user_access", Some(&root), &body).await }
        };
        // Allowed, plus the stored face slug: accepted.
        let (status, v) = save(vec!["ptz-control", "analytic-cases-smoke-fire", "analytic-cases-face"], version).await;
        assert_eq!(status, StatusCode::OK, "{v}");
        // Whatever the client sends, the rules hold.
        for (slugs, why) in [
            (vec!["subusers-manage"], "never given to sub-users"),
            (vec!["marks-index"], "not held by the parent user"),
            (vec!["analytic-cases-license-plate"], "level 3 analytics licences"),
        ] {
            let (status, v) = save(slugs, version + 1).await;
            assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
            assert!(v.to_string().contains(why), "{v}");
        }
        assert_eq!(save(vec![], version).await.0, StatusCode::CONFLICT, "stale");
        assert_eq!(stored(&app, kid).await, vec!["analytic-cases-face", "analytic-cases-smoke-fire", "ptz-control"]);
        // The user editor does not edit sub-users, nor the other way round.
        assert_eq!(app.call("sub_user_access", Some(&root), &[("id", &parent.to_string())]).await.0, StatusCode::NOT_FOUND);
        assert_eq!(app.call("user_access", Some(&root), &[("id", &kid.to_string())]).await.0, StatusCode::NOT_FOUND);
        // Needs subusers-access-edit, not users-access-edit.
        app.create_admin("editor", "admin", &["users-view", "users-access-edit"], &[], &[]).await;
        let editor = app.sign_in("editor", "password-123").await.unwrap();
        let (_, v) = app.call("sub_user_access", Some(&editor), &[("id", &kid.to_string())]).await;
        assert_eq!(v["can_edit"], false);
        let body = json!({"id": kid, "slugs": ["ptz-control"], "version": version + 1});
        assert_eq!(app.call_json("save_sub_user_access", Some(&editor), &body).await.0, StatusCode::FORBIDDEN);
        app
    })
    .await;
}

/// A user that lost `subusers-manage` keeps its sub-users (they still sign in): the card
/// shows them, read-only, with the reason; the server refuses edits.
#[tokio::test]
async fn sub_users_stay_visible_and_read_only_when_the_parent_cannot_manage_them() {
    each_backend(|app| async move {
        let parent = user_with_level1(&app).await;
        sqlx::query("DELETE FROM user_permissions WHERE user_id = $1 AND slug = 'subusers-manage'")
            .bind(parent)
            .execute(&app.db().pool)
            .await
            .unwrap();
        let kid = sub_user(&app, parent, &["cameras-live"]).await;
        let root = app.superadmin().await;
        let id = parent.to_string();
        let (_, header) = app.call("user_header", Some(&root), &[("id", &id)]).await;
        assert_eq!((header["manages_sub_users"].as_bool(), header["sub_users"].as_i64()), (Some(false), Some(1)));
        let (_, list) = app.call("user_sub_users", Some(&root), &[("id", &id)]).await;
        assert_eq!(list["rows"][0]["login"], "kid", "{list}");
        let (_, access) = app.call("sub_user_access", Some(&root), &[("id", &kid.to_string())]).await;
        assert_eq!(access["can_edit"], false);
        assert!(access["read_only"].as_str().unwrap().contains("subusers-manage"), "{access}");
        let body = json!({"id": kid, "slugs": [], "version": access["version"]});
        let (status, v) = app.call_json("save_sub_user_access", Some(&root), &body).await;
        assert_eq!(status, StatusCode::CONFLICT, "{v}");
        assert_eq!(stored(&app, kid).await, vec!["cameras-live"]);
        // Without sub-users and without the permission, the card has nothing to show.
        sqlx::query("UPDATE users SET deleted_at = 1, status = 'deleted' WHERE id = $1")
            .bind(kid)
            .execute(&app.db().pool)
            .await
            .unwrap();
        let (_, header) = app.call("user_header", Some(&root), &[("id", &id)]).await;
        assert_eq!(header["sub_users"].as_i64(), Some(0));
        app
    })
    .await;
}
