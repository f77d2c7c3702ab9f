//! One regression test per way around the server's promises found in review, for scope and
//! impersonation (sessions and streams: `sessions`; sign-in, redirects, cross-site requests,
//! page headers, body limits and secrets: `request_guards`), and a property test of
//! administrators creating administrators.
//! Each runs on SQLite and, with TEST_POSTGRES_URL, on PostgreSQL.

use crate::common::{each_backend, has_token, world, TestApp, OUTSIDE_MAC, OUTSIDE_SERIAL};
use app::domain::rng::SplitMix64;
use axum::http::StatusCode;
use serde_json::{json, Value};
use std::collections::BTreeSet;

pub(crate) fn admin_form(login: &str, perms: &[&str], scope_all: bool, csa: &str, cameras: &str) -> Value {
    json!({"login": login, "name": login, "role": "admin", "permissions": perms, "scope_all": scope_all,
           "scope_csa": csa, "scope_cameras": cameras})
}

async fn create(app: &TestApp, cookie: &str, form: Value) -> (StatusCode, Value) {
    app.call_json("create_admin", Some(cookie), &json!({"form": form, "password": "password-123"})).await
}

fn logins(list: &Value) -> BTreeSet<String> {
    list.as_array().unwrap().iter().map(|a| a["login"].as_str().unwrap().to_string()).collect()
}

#[tokio::test]
async fn an_administrator_hands_out_and_manages_only_what_it_holds() {
    each_backend(|app| async move {
        let w = world(&app).await;
        app.create_admin("lead", "admin", &["admins-manage", "users-view"], &["IN-1"], &[]).await;
        let victim = app.create_admin("victim", "admin", &[], &["OUT-1"], &[]).await;
        let everywhere = app.create_admin("everywhere", "admin", &[], &[], &[]).await;
        let root = app.create_admin("root", "superadmin", &[], &[], &[]).await;
        let lead = app.sign_in("lead", "password-123").await.unwrap();

        for (form, why) in [
            (admin_form("a1", &["users-view"], true, "", ""), "all cameras"),
            (admin_form("a2", &["users-view"], false, "OUT-1", ""), "location OUT-1"),
            (admin_form("a3", &["audit-view"], false, "IN-1", ""), "audit-view"),
            (
                json!({"login": "a4", "name": "a4", "role": "superadmin", "permissions": [], "scope_all": true,
                    "scope_csa": "", "scope_cameras": ""}),
                "superadmin",
            ),
        ] {
            let (status, body) = create(&app, &lead, form).await;
            assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{why}: {body}");
        }
        // A camera outside the scope and one that does not exist get the same answer.
        let (s1, outside) = create(&app, &lead, admin_form("a5", &[], false, "", &w.outside.to_string())).await;
        let (s2, missing) = create(&app, &lead, admin_form("a5", &[], false, "", "123456789")).await;
        assert_eq!((s1, s2), (StatusCode::UNPROCESSABLE_ENTITY, StatusCode::UNPROCESSABLE_ENTITY));
        assert_eq!(
            outside.to_string().replace(&w.outside.to_string(), "N"),
            missing.to_string().replace("123456789", "N")
        );
        // Within what it holds: fine, and then it manages what it made.
        let (status, made) =
            create(&app, &lead, admin_form("deputy", &["users-view"], false, "IN-1", &w.inside.to_string())).await;
        assert_eq!(status, StatusCode::OK, "{made}");
        let (_, list) = app.call("admins", Some(&lead), &[]).await;
        assert_eq!(logins(&list), ["deputy", "lead"].map(String::from).into());

        // Outside its scope, wider or superadmin: not found, whatever it tries.
        for target in [victim, everywhere, root] {
            let id = target.to_string();
            let (status, _) = app.call("set_admin_disabled", Some(&lead), &[("id", &id), ("disabled", "true")]).await;
            assert_eq!(status, StatusCode::NOT_FOUND);
            let body = json!({"id": target, "password": "taken-over-1"});
            assert_eq!(app.call_json("reset_admin_password", Some(&lead), &body).await.0, StatusCode::NOT_FOUND);
            let body = json!({"id": target, "form": admin_form("x", &[], false, "IN-1", "")});
            assert_eq!(app.call_json("update_admin", Some(&lead), &body).await.0, StatusCode::NOT_FOUND);
        }
        assert!(app.sign_in("victim", "password-123").await.is_ok(), "the victim keeps its password");
        let disabled = app.scalar("SELECT COUNT(*) FROM administrators WHERE disabled_at IS NOT NULL").await;
        assert_eq!(disabled, 0);
        app
    })
    .await;
}

/// What an administrator holds, read from the database: permissions (all for a
/// superadmin) and the cameras its scope covers.
async fn holdings(app: &TestApp, id: i64) -> (BTreeSet<String>, BTreeSet<i64>) {
    let role: (String,) = sqlx::query_as("SELECT role FROM administrators WHERE id = $1")
        .bind(id)
        .fetch_one(&app.db().pool)
        .await
        .unwrap();
    let perms: Vec<(String,)> = sqlx::query_as("SELECT slug FROM administrator_permissions WHERE admin_id = $1")
        .bind(id)
        .fetch_all(&app.db().pool)
        .await
        .unwrap();
    let mut perms: BTreeSet<String> = perms.into_iter().map(|(p,)| p).collect();
    if role.0 == "superadmin" {
        perms = ALL.iter().map(|p| p.to_string()).collect();
    }
    let cameras: Vec<(i64,)> =
        sqlx::query_as(&format!("SELECT c.id FROM cameras c WHERE {}", app::backend::scope::camera_condition(1)))
            .bind(id)
            .fetch_all(&app.db().pool)
            .await
            .unwrap();
    (perms, cameras.into_iter().map(|(c,)| c).collect())
}

const ALL: &[&str] = &[
    "users-view",
    "users-impersonate",
    "users-sync-cameras",
    "users-access-edit",
    "subusers-access-edit",
    "intercoms-edit",
    "admins-manage",
    "audit-view",
];

/// Random chains of administrators creating and editing each other with random scopes and
/// permissions, starting from one scoped administrator: after every step, nobody holds a
/// permission or a camera that administrator did not, and what a step granted lies within
/// what its actor held.
#[tokio::test]
async fn random_chains_of_administrators_never_grant_beyond_their_creator() {
    each_backend(|app| async move {
        let w = world(&app).await;
        let cameras = [w.inside, w.outside, 424_242];
        let origin = app
            .create_admin("origin", "admin", &["admins-manage", "users-view", "audit-view"], &["IN-1"], &[w.outside])
            .await;
        let (origin_perms, origin_cams) = holdings(&app, origin).await;
        let mut pool: Vec<(i64, String)> = vec![(origin, app.sign_in("origin", "password-123").await.unwrap())];
        let mut rng = SplitMix64::new(20261202);
        let (mut granted, mut refused) = (0, 0);
        for step in 0..80 {
            let (actor, cookie) = pool[rng.below(pool.len() as u64) as usize].clone();
            // Half the time a modest request (what the origin holds), else anything at all.
            let modest = rng.chance(50);
            let perm_pool: &[&str] = if modest { &["admins-manage", "users-view", "audit-view"] } else { ALL };
            let csa_pool: &[&str] = if modest { &["IN-1"] } else { &["IN-1", "OUT-1", "OTHER-1"] };
            let cam_pool: &[i64] = if modest { &cameras[..2] } else { &cameras };
            let perms: Vec<&str> = perm_pool.iter().copied().filter(|_| rng.chance(50)).collect();
            let csa: Vec<&str> = csa_pool.iter().copied().filter(|_| rng.chance(50)).collect();
            let cams: Vec<String> = cam_pool.iter().filter(|_| rng.chance(40)).map(i64::to_string).collect();
            let all = !modest && rng.chance(20);
            let form = admin_form(&format!("a{step}"), &perms, all, &csa.join(" "), &cams.join(" "));
            let (actor_perms, actor_cams) = holdings(&app, actor).await;
            let (status, target) = if pool.len() > 1 && rng.chance(40) {
                let (target, _) = pool[rng.below(pool.len() as u64) as usize].clone();
                let login: (String,) = sqlx::query_as("SELECT login FROM administrators WHERE id = $1")
                    .bind(target)
                    .fetch_one(&app.db().pool)
                    .await
                    .unwrap();
                let mut form = form;
                form["login"] = json!(login.0);
                let (status, _) =
                    app.call_json("update_admin", Some(&cookie), &json!({"id": target, "form": form})).await;
                (status, target)
            } else {
                let (status, id) = create(&app, &cookie, form).await;
                (status, id.as_i64().unwrap_or(0))
            };
            if status != StatusCode::OK {
                refused += 1;
                continue;
            }
            granted += 1;
            let (perms, cams) = holdings(&app, target).await;
            assert!(perms.is_subset(&actor_perms), "step {step}: {perms:?} beyond the actor's {actor_perms:?}");
            assert!(cams.is_subset(&actor_cams), "step {step}: {cams:?} beyond the actor's {actor_cams:?}");
            if !pool.iter().any(|(id, _)| *id == target) {
                let login: (String,) = sqlx::query_as("SELECT login FROM administrators WHERE id = $1")
                    .bind(target)
                    .fetch_one(&app.db().pool)
                    .await
                    .unwrap();
                if perms.contains("admins-manage") {
                    pool.push((target, app.sign_in(&login.0, "password-123").await.unwrap()));
                }
            }
            let everyone: Vec<(i64,)> =
                sqlx::query_as("SELECT id FROM administrators").fetch_all(&app.db().pool).await.unwrap();
            for (id,) in everyone {
                let (p, c) = holdings(&app, id).await;
                assert!(
                    p.is_subset(&origin_perms) && c.is_subset(&origin_cams),
                    "step {step}: admin {id} exceeds origin"
                );
            }
        }
        assert!(granted > 5 && refused > 5, "the chain tried both ways: {granted} granted, {refused} refused");
        app
    })
    .await;
}

#[tokio::test]
async fn an_impersonating_administrator_cannot_set_credentials_or_reach_beyond_its_scope() {
    each_backend(|app| async move {
        let w = world(&app).await;
        app.create_admin("helpdesk", "admin", &["users-view", "users-impersonate"], &["IN-1"], &[]).await;
        let admin = app.sign_in("helpdesk", "password-123").await.unwrap();
        let as_user = app.impersonate(&admin, w.user).await;
        let sub = format!("/api/client/v1/sub-users/{}", w.sub);
        for body in [json!({"password": "taken-over-1"}), json!({"login": "taken-over"})] {
            let (status, text) = app.api("PUT", &sub, Some(&as_user), Some(&body)).await;
            assert_eq!(status, StatusCode::FORBIDDEN, "{body}: {text}");
        }
        let new = json!({"login": "spy", "name": "Spy", "password": "spy-password", "permissions": []});
        assert_eq!(
            app.api("POST", "/api/client/v1/sub-users", Some(&as_user), Some(&new)).await.0,
            StatusCode::FORBIDDEN
        );
        // Neither a password nor a new account to sign in with.
        assert_ne!(app.client_sign_in("ulla-kid", "taken-over-1").await.0, StatusCode::OK);
        assert_ne!(app.client_sign_in("spy", "spy-password").await.0, StatusCode::OK);
        // Analytics of the camera outside the scope: not listed, no events, not deletable.
        let (_, cases) = app.api("GET", "/api/client/v1/cases", Some(&as_user), None).await;
        assert!(cases.contains("Inside case") && !cases.contains("Outside case"), "{cases}");
        let events = format!("/api/client/v1/cases/{}/events", w.outside_case);
        assert_eq!(app.api("GET", &events, Some(&as_user), None).await.0, StatusCode::NOT_FOUND);
        let case = format!("/api/client/v1/cases/{}", w.outside_case);
        assert_eq!(app.api("DELETE", &case, Some(&as_user), None).await.0, StatusCode::NOT_FOUND);
        assert_eq!(app.api("GET", &events, Some(&w.user_cookie), None).await.0, StatusCode::OK, "still there");
        // The outside camera loses its location (billing unlinks its last user): its case is
        // still out of the administrator's scope.
        app.billing(json!({"id": "unlink-out", "type": "billing.delete_location", "entity": "U-ULLA", "csa": "OUT-1"}))
            .await;
        let unplaced =
            app.scalar(&format!("SELECT COUNT(*) FROM cameras WHERE id = {} AND location_id IS NULL", w.outside)).await;
        assert_eq!(unplaced, 1);
        let (_, cases) = app.api("GET", "/api/client/v1/cases", Some(&as_user), None).await;
        assert!(!cases.contains("Outside case"), "{cases}");
        assert_eq!(app.api("GET", &events, Some(&as_user), None).await.0, StatusCode::NOT_FOUND);
        app
    })
    .await;
}

#[tokio::test]
async fn scoped_administrators_see_only_their_cameras_everywhere() {
    each_backend(|app| async move {
        let w = world(&app).await;
        let all = ["users-view", "users-sync-cameras", "audit-view"];
        app.create_admin("district", "admin", &all, &["IN-1"], &[]).await;
        let scoped = app.sign_in("district", "password-123").await.unwrap();
        let root = app.superadmin().await;
        let user = w.user.to_string();
        let outside = w.outside.to_string();
        // Billing Events: the outside camera's MAC, serial and name are masked, and said so.
        let (_, events) = app.call("user_billing_events", Some(&scoped), &[("id", &user)]).await;
        let text = events.to_string();
        assert!(!text.contains(OUTSIDE_MAC) && !text.contains(OUTSIDE_SERIAL), "{text}");
        let masked = events["rows"].as_array().unwrap().iter().filter(|r| r["masked"] == true).count();
        assert_eq!(masked, 3, "the outside camera's new_camera and attach_camera, the outside location: {text}");
        assert!(!text.contains("OUT-1"), "{text}");
        let (_, events) = app.call("user_billing_events", Some(&root), &[("id", &user)]).await;
        assert!(events.to_string().contains(OUTSIDE_MAC));
        // Synchronize cameras: what changed within the scope, and that more did.
        sqlx::query("DELETE FROM environments").execute(&app.db().pool).await.unwrap();
        let (_, sync) = app.call("sync_user_cameras", Some(&scoped), &[("id", &user)]).await;
        let own = &sync["accounts"][0];
        assert_eq!(own["cameras_added"], json!([w.inside]), "{sync}");
        assert_eq!(own["cameras_hidden"], true);
        // Analytics licences: used within the scope, and that more are used elsewhere.
        let (_, licences) = app.call("user_licences", Some(&scoped), &[("id", &user)]).await;
        let level = &licences["rows"][0];
        assert_eq!((level["used"].as_i64(), level["used_elsewhere"].as_bool()), (Some(1), Some(true)));
        assert_eq!(level["free"], 18, "the account's free licences");
        let (_, licences) = app.call("user_licences", Some(&root), &[("id", &user)]).await;
        let level = &licences["rows"][0];
        assert_eq!((level["used"].as_i64(), level["used_elsewhere"].as_bool()), (Some(2), Some(false)));
        // Audit log: the outside camera is left out of the details (sub-user, sync, cases).
        let (_, log) = app.call("audit_log", Some(&scoped), &[]).await;
        for row in log["rows"].as_array().unwrap() {
            let details = row["details"].as_str().unwrap();
            assert!(!has_token(details, &outside), "{row}");
        }
        let hidden = log["rows"].as_array().unwrap().iter().filter(|r| r["hidden"] == true).count();
        assert!(hidden >= 2, "{log}");
        let (_, log) = app.call("audit_log", Some(&root), &[]).await;
        assert!(has_token(&log.to_string(), &outside));
        // Administrators it does not manage are not named to it.
        app.create_admin("elsewhere", "admin", &["users-view"], &["OUT-1"], &[]).await;
        app.sign_in("elsewhere", "password-123").await.unwrap();
        let (_, log) = app.call("audit_log", Some(&scoped), &[("action", "admin.sign_in")]).await;
        assert!(!log.to_string().contains("elsewhere"), "{log}");
        assert!(log.to_string().contains("outside your scope"), "{log}");
        app
    })
    .await;
}
