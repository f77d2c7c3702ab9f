//! The console through the router: sign-in, sessions, redirects, the users list and every
//! tab's server function — on SQLite and on PostgreSQL.

use crate::common::each_backend;
use app::domain::time::HOUR_MS;
use axum::http::StatusCode;
use serde_json::Value;

#[tokio::test]
async fn sign_in_wrong_credentials_throttling_and_audit() {
    each_backend(|app| async move {
        app.create_admin("alice", "admin", &["users-view"], &[], &[]).await;
        // Wrong password and unknown login get the same message.
        for (login, pw) in [("alice", "nope-nope"), ("nobody", "password-123")] {
            let (status, body) = app.sign_in(login, pw).await.unwrap_err();
            assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
            assert_eq!(body, serde_json::json!({"Invalid": "Wrong login or password."}));
        }
        for _ in 0..4 {
            assert!(app.sign_in("alice", "nope-nope").await.is_err());
        }
        // Five failures: even the right password must wait.
        let (status, _) = app.sign_in("alice", "password-123").await.unwrap_err();
        assert_eq!(status, StatusCode::TOO_MANY_REQUESTS);
        app.state.clock.advance_ms(60_000);
        let cookie = app.sign_in("alice", "password-123").await.expect("signs in after waiting");
        assert!(cookie.starts_with("vms_admin="));
        assert_eq!(app.scalar("SELECT COUNT(*) FROM audit_entries WHERE action = 'admin.sign_in_failed'").await, 6);
        assert_eq!(app.scalar("SELECT COUNT(*) FROM audit_entries WHERE action = 'admin.sign_in'").await, 1);
        // Nothing but hashes is stored.
        assert_eq!(app.scalar("SELECT COUNT(*) FROM administrators WHERE password_hash LIKE '$argon2id$%'").await, 1);
        assert_eq!(
            app.scalar(&format!(
                "SELECT COUNT(*) FROM admin_sessions WHERE token_hash = '{}'",
                &cookie["vms_admin=".len()..]
            ))
            .await,
            0
        );
        app
    })
    .await;
}

#[tokio::test]
async fn pages_redirect_to_login_and_back_sessions_expire_and_sign_out_ends_them() {
    each_backend(|app| async move {
        let (status, headers, _) = app.get("/users/1/cameras?after=3~", None).await;
        assert_eq!(status, StatusCode::SEE_OTHER);
        assert_eq!(headers["location"], "/login?next=%2Fusers%2F1%2Fcameras%3Fafter%3D3~");
        let (status, _, html) = app.get("/login", None).await;
        assert_eq!(status, StatusCode::OK);
        assert!(html.contains("Sign in") && html.contains("Login") && html.contains("Password"));

        let cookie = app.superadmin().await;
        let (status, _, html) = app.get("/users", Some(&cookie)).await;
        assert_eq!(status, StatusCode::OK);
        assert!(html.contains("<h1>Users"), "{html}");
        let (status, me) = app.call("me", Some(&cookie), &[]).await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(me["login"], "root");

        // Used sessions slide; an idle one expires after 12 hours.
        app.state.clock.advance_ms(11 * HOUR_MS);
        assert_eq!(app.call("me", Some(&cookie), &[]).await.0, StatusCode::OK);
        app.state.clock.advance_ms(11 * HOUR_MS);
        assert_eq!(app.call("me", Some(&cookie), &[]).await.0, StatusCode::OK);
        app.state.clock.advance_ms(13 * HOUR_MS);
        let (status, body) = app.call("me", Some(&cookie), &[]).await;
        assert_eq!((status, body), (StatusCode::UNAUTHORIZED, Value::String("Unauthorized".into())));
        assert_eq!(app.get("/users", Some(&cookie)).await.0, StatusCode::SEE_OTHER);

        let cookie = app.sign_in("root", "password-123").await.unwrap();
        assert_eq!(app.call("sign_out", Some(&cookie), &[]).await.0, StatusCode::OK);
        assert_eq!(app.call("me", Some(&cookie), &[]).await.0, StatusCode::UNAUTHORIZED);
        assert_eq!(app.call("users", None, &[]).await.0, StatusCode::UNAUTHORIZED);
        app
    })
    .await;
}

#[tokio::test]
async fn disabled_administrators_lose_their_sessions_and_permissions_are_enforced() {
    each_backend(|app| async move {
        let id = app.create_admin("viewerless", "admin", &["audit-view"], &[], &[]).await;
        let cookie = app.sign_in("viewerless", "password-123").await.unwrap();
        assert_eq!(app.call("users", Some(&cookie), &[]).await.0, StatusCode::FORBIDDEN);
        assert_eq!(app.call("user_header", Some(&cookie), &[("id", "1")]).await.0, StatusCode::FORBIDDEN);
        sqlx::query("UPDATE administrators SET disabled_at = 1 WHERE id = $1")
            .bind(id)
            .execute(&app.db().pool)
            .await
            .unwrap();
        assert_eq!(app.call("me", Some(&cookie), &[]).await.0, StatusCode::UNAUTHORIZED);
        app
    })
    .await;
}

/// Every row of a paged server function, following `next`; with the last page's total.
pub(crate) async fn all_pages(
    app: &crate::common::TestApp,
    cookie: &str,
    endpoint: &str,
    form: &[(&str, &str)],
) -> (Vec<Value>, i64) {
    let mut rows = Vec::new();
    let mut after: Option<String> = None;
    let mut total;
    loop {
        let mut f: Vec<(&str, &str)> = form.to_vec();
        if let Some(a) = &after {
            f.push(("after", a));
        }
        let (status, page) = app.call(endpoint, Some(cookie), &f).await;
        assert_eq!(status, StatusCode::OK, "{page}");
        total = page["total"].as_i64().unwrap();
        rows.extend(page["rows"].as_array().unwrap().iter().cloned());
        assert!(page["rows"].as_array().unwrap().len() <= 25);
        match page["next"].as_str() {
            Some(n) => after = Some(n.to_string()),
            None => break,
        }
    }
    (rows, total)
}

#[tokio::test]
async fn users_list_filters_sorts_and_pages_by_keyset() {
    each_backend(|app| async move {
        server::demo::generate(app.db(), 80, 7, app.now()).await.unwrap();
        let cookie = app.superadmin().await;
        let not_deleted =
            app.scalar("SELECT COUNT(*) FROM users WHERE parent_id IS NULL AND status <> 'deleted'").await;
        let (rows, total) = all_pages(&app, &cookie, "users", &[]).await;
        assert_eq!(total, not_deleted);
        assert_eq!(rows.len() as i64, total);
        assert!(rows.iter().all(|r| r["status"] != "deleted"));
        let created: Vec<i64> = rows.iter().map(|r| r["created_at"].as_i64().unwrap()).collect();
        assert!(created.windows(2).all(|w| w[0] >= w[1]), "newest first");

        let (rows, total) = all_pages(&app, &cookie, "users", &[("sort", "name")]).await;
        assert_eq!(rows.len() as i64, total);
        let names: Vec<(String, i64)> =
            rows.iter().map(|r| (r["name"].as_str().unwrap().to_string(), r["id"].as_i64().unwrap())).collect();
        let mut sorted = names.clone();
        sorted.sort();
        assert_eq!(names, sorted);

        let deleted = app.scalar("SELECT COUNT(*) FROM users WHERE parent_id IS NULL AND status = 'deleted'").await;
        let (rows, total) = all_pages(&app, &cookie, "users", &[("status", "deleted")]).await;
        assert_eq!((rows.len() as i64, total), (deleted, deleted));
        let (_, total) = all_pages(&app, &cookie, "users", &[("status", "all")]).await;
        assert_eq!(total, not_deleted + deleted);

        // Search by login (case-insensitive) and by part of a name; LIKE wildcards are literal.
        let (login,): (String,) =
            sqlx::query_as("SELECT login FROM users WHERE parent_id IS NULL AND status = 'active' ORDER BY id LIMIT 1")
                .fetch_one(&app.db().pool)
                .await
                .unwrap();
        let (rows, total) = all_pages(&app, &cookie, "users", &[("q", &login.to_uppercase())]).await;
        assert_eq!(total, 1);
        assert_eq!(rows[0]["login"], login.as_str());
        assert_eq!(all_pages(&app, &cookie, "users", &[("q", "%")]).await.1, 0);
        // The trigram index (SQLite) answers as a scan would, also after the searched text changed.
        let (name,): (String,) = sqlx::query_as("SELECT name FROM users WHERE parent_id IS NULL ORDER BY id LIMIT 1")
            .fetch_one(&app.db().pool)
            .await
            .unwrap();
        let surname = name.split(' ').nth(1).unwrap().to_lowercase();
        for term in [&surname[..4], &surname[1..3], "a", "nobody-at-all"] {
            let expected = app
                .scalar(&format!(
                    "SELECT COUNT(*) FROM users WHERE parent_id IS NULL AND status <> 'deleted' AND search LIKE '%{term}%'"
                ))
                .await;
            assert_eq!(all_pages(&app, &cookie, "users", &[("q", term)]).await.1, expected, "{term}");
        }
        sqlx::query("UPDATE users SET search = 'renamed zebediah' WHERE login = $1")
            .bind(&login)
            .execute(&app.db().pool)
            .await
            .unwrap();
        assert_eq!(all_pages(&app, &cookie, "users", &[("q", "zebed")]).await.1, 1);
        assert_eq!(all_pages(&app, &cookie, "users", &[("q", &login)]).await.1, 0);
        // Characters that mean something to LIKE or to FTS5 are searched for literally.
        sqlx::query("UPDATE users SET search = 'quote\"d 50%_off o''neil' WHERE login = $1")
            .bind(&login)
            .execute(&app.db().pool)
            .await
            .unwrap();
        for term in ["e\"d 5", "50%_", "o'neil", "0%_o", "\"d"] {
            assert_eq!(all_pages(&app, &cookie, "users", &[("q", term)]).await.1, 1, "{term}");
        }
        for term in ["50%x", "5_%", "quote d"] {
            assert_eq!(all_pages(&app, &cookie, "users", &[("q", term)]).await.1, 0, "{term}");
        }
        assert_eq!(app.call("users", Some(&cookie), &[("status", "bogus")]).await.0, StatusCode::UNPROCESSABLE_ENTITY);
        // A garbage cursor is the first page, not an error.
        assert_eq!(app.call("users", Some(&cookie), &[("after", "garbage")]).await.0, StatusCode::OK);
        app
    })
    .await;
}

#[tokio::test]
async fn every_tab_shows_the_users_data() {
    each_backend(|app| async move {
        server::demo::generate(app.db(), 60, 3, app.now()).await.unwrap();
        let cookie = app.superadmin().await;
        // A user with sub-users, licences, an apartment and several cameras.
        let (id,): (i64,) = sqlx::query_as(
            "SELECT u.id FROM users u WHERE u.parent_id IS NULL \
             AND EXISTS (SELECT 1 FROM users s WHERE s.parent_id = u.id) \
             AND EXISTS (SELECT 1 FROM licences l WHERE l.user_id = u.id AND l.total > 0) ORDER BY u.id LIMIT 1",
        )
        .fetch_one(&app.db().pool).await.expect("demo data has such a user");
        let sid = id.to_string();
        let idf = [("id", sid.as_str())];

        let (status, h) = app.call("user_header", Some(&cookie), &idf).await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(h["id"], id);
        assert_eq!(h["manages_sub_users"], true);
        assert_eq!(h["has_licences"], true);

        let (_, p) = app.call("user_profile", Some(&cookie), &idf).await;
        assert!(p["entity"].as_str().unwrap().starts_with("ENT-"));
        assert!(p["properties"].as_array().unwrap().iter().any(|kv| kv[0] == "contract"));

        let (cams, total) = all_pages(&app, &cookie, "user_cameras", &idf).await;
        assert_eq!(total, app.scalar(&format!("SELECT COUNT(*) FROM camera_access WHERE user_id = {id}")).await);
        assert_eq!(cams.len() as i64, total);
        for c in &cams {
            let cid = c["id"].as_i64().unwrap();
            let streams = app.scalar(&format!("SELECT COUNT(*) FROM camera_streams WHERE camera_id = {cid}")).await;
            let up = app.scalar(&format!("SELECT COUNT(*) FROM camera_streams WHERE camera_id = {cid} AND up = 1")).await;
            let expected = serde_json::to_value(app::domain::camera::CameraStatus::from_counts(streams, up)).unwrap();
            assert_eq!(c["status"], expected);
            assert!(c["location"].as_str().unwrap().contains("entrance"));
        }

        let (links, total) = all_pages(&app, &cookie, "user_intercoms", &idf).await;
        assert_eq!(total, app.scalar(&format!("SELECT COUNT(*) FROM apartment_links WHERE user_id = {id}")).await);
        for l in &links {
            let keys: Vec<(String,)> = sqlx::query_as("SELECT code FROM apartment_keys WHERE link_id = $1 ORDER BY code")
                .bind(l["link_id"].as_i64().unwrap())
                .fetch_all(&app.db().pool)
                .await
                .unwrap();
            let keys: Vec<String> = keys.into_iter().map(|(k,)| k).collect();
            assert_eq!(l["keys"], serde_json::json!(keys), "{l}");
        }

        let (subs, total) = all_pages(&app, &cookie, "user_sub_users", &idf).await;
        assert_eq!(total, app.scalar(&format!("SELECT COUNT(*) FROM users WHERE parent_id = {id}")).await);
        assert!(subs.iter().all(|s| s["login"].as_str().unwrap().contains(".sub")));

        let (events, total) = all_pages(&app, &cookie, "user_billing_events", &idf).await;
        assert_eq!(total, app.scalar(&format!("SELECT COUNT(*) FROM billing_events WHERE user_id = {id}")).await);
        let times: Vec<i64> = events.iter().map(|e| e["created_at"].as_i64().unwrap()).collect();
        assert!(times.windows(2).all(|w| w[0] >= w[1]), "newest first");
        assert!(events.iter().all(|e| !e["payload"].as_str().unwrap().contains("demo-password")));
        let (only, total) = all_pages(&app, &cookie, "user_billing_events", &[("id", &sid), ("event_type", "billing.attach_camera")]).await;
        assert_eq!(total, cams.len() as i64);
        assert!(only.iter().all(|e| e["event_type"] == "billing.attach_camera"));
        assert_eq!(app.call("user_billing_events", Some(&cookie), &[("id", &sid), ("event_type", "nope")]).await.0, StatusCode::UNPROCESSABLE_ENTITY);

        let (_, access) = app.call("user_access", Some(&cookie), &idf).await;
        assert!(access["stored"].as_array().unwrap().iter().any(|s| s == "subusers-manage"));
        // Level 1 is licensed: its analytics slugs are not blocked.
        assert!(access["blocked"].as_array().unwrap().iter().all(|b| b[0] != "analytic-cases-motion-detect"));

        let (_, lic) = app.call("user_licences", Some(&cookie), &idf).await;
        for row in lic["rows"].as_array().unwrap() {
            let level = row["level"].as_i64().unwrap();
            let used = app.scalar(&format!(
                "SELECT COUNT(*) FROM case_cameras cc JOIN analytics_cases c ON c.id = cc.case_id WHERE c.account_id = {id} AND c.level = {level}"
            )).await;
            assert_eq!(row["used"].as_i64().unwrap(), used);
            let total = app.scalar(&format!("SELECT total FROM licences WHERE user_id = {id} AND level = {level}")).await;
            assert_eq!(row["total"].as_i64().unwrap(), total);
            assert_eq!(row["free"].as_i64().unwrap(), (total - used).max(0), "level {level}");
        }

        // Unknown users and sub-users have no card.
        let (sub,): (i64,) = sqlx::query_as("SELECT id FROM users WHERE parent_id IS NOT NULL LIMIT 1").fetch_one(&app.db().pool).await.unwrap();
        for bad in [sub.to_string(), "999999".into()] {
            for endpoint in ["user_header", "user_profile", "user_cameras", "user_billing_events", "user_licences"] {
                assert_eq!(app.call(endpoint, Some(&cookie), &[("id", &bad)]).await.0, StatusCode::NOT_FOUND, "{endpoint}");
            }
        }
        assert_eq!(app.call("user_header", Some(&cookie), &[("id", "abc")]).await.0, StatusCode::UNPROCESSABLE_ENTITY);
        let (status, _, html) = app.get(&format!("/users/{id}/billing-events"), Some(&cookie)).await;
        assert_eq!(status, StatusCode::OK);
        assert!(html.contains("role=\"tablist\""));
        app
    })
    .await;
}

#[tokio::test]
async fn a_scoped_administrator_sees_only_cameras_in_scope() {
    each_backend(|app| async move {
        server::demo::generate(app.db(), 20, 5, app.now()).await.unwrap();
        let (user, code): (i64, String) = sqlx::query_as(
            "SELECT a.user_id, l.csa_code FROM camera_access a JOIN cameras c ON c.id = a.camera_id \
             JOIN locations l ON l.id = c.location_id JOIN users u ON u.id = a.user_id \
             WHERE u.parent_id IS NULL ORDER BY a.user_id LIMIT 1",
        )
        .fetch_one(&app.db().pool).await.unwrap();
        let (other_camera,): (i64,) = sqlx::query_as(
            "SELECT c.id FROM cameras c JOIN locations l ON l.id = c.location_id WHERE l.csa_code <> $1 ORDER BY c.id LIMIT 1",
        ).bind(&code).fetch_one(&app.db().pool).await.unwrap();
        // Give the user one camera outside the scope's location.
        sqlx::query("INSERT INTO camera_access (user_id, camera_id, granted_at) VALUES ($1, $2, 0)")
            .bind(user).bind(other_camera).execute(&app.db().pool).await.unwrap();
        app.create_admin("scoped", "admin", &["users-view"], &[&code], &[]).await;
        let cookie = app.sign_in("scoped", "password-123").await.unwrap();
        let uid = user.to_string();
        let (rows, total) = all_pages(&app, &cookie, "user_cameras", &[("id", &uid)]).await;
        let expected = app.scalar(&format!(
            "SELECT COUNT(*) FROM camera_access a JOIN cameras c ON c.id = a.camera_id JOIN locations l ON l.id = c.location_id \
             WHERE a.user_id = {user} AND l.csa_code = '{code}'"
        )).await;
        assert_eq!(total, expected);
        assert_eq!(rows.len() as i64, expected);
        assert!(rows.iter().all(|r| r["id"] != other_camera));
        // Listing the camera explicitly brings it into scope.
        let admin: i64 = app.scalar("SELECT id FROM administrators WHERE login = 'scoped'").await;
        sqlx::query("INSERT INTO administrator_scope_cameras (admin_id, camera_id) VALUES ($1, $2)")
            .bind(admin).bind(other_camera).execute(&app.db().pool).await.unwrap();
        assert_eq!(all_pages(&app, &cookie, "user_cameras", &[("id", &uid)]).await.1, expected + 1);
        app
    })
    .await;
}

#[tokio::test]
async fn bootstrap_admin_is_created_once() {
    each_backend(|app| async move {
        let now = app.now();
        assert_eq!(
            server::admins::bootstrap(app.db(), "boss:long-password", now).await.unwrap().as_deref(),
            Some("boss")
        );
        assert_eq!(server::admins::bootstrap(app.db(), "other:long-password", now).await.unwrap(), None);
        assert!(server::admins::bootstrap(app.db(), "no-colon", now).await.is_err());
        assert!(app.sign_in("boss", "long-password").await.is_ok());
        app
    })
    .await;
}
