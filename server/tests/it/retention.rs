//! Deletion and retention timelines (SPEC §8) with an injected time, on both databases.

use crate::common::{each_backend, TestApp};
use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use serde_json::{json, Value};
use server::retention::{self, DAY_MS};

const T0: i64 = 1_800_000_000_000;

async fn exec(app: &TestApp, sql: &str) {
    sqlx::query(sql).execute(&app.db().pool).await.unwrap();
}

/// A billing user with a camera, licences, a sub-user, a case of each at `level` with an
/// event, an apartment link, a session and an audit entry. Returns (user, sub-user).
async fn account(app: &TestApp, tag: &str, level: i64) -> (i64, i64) {
    let user = app
        .billing(json!({"id": format!("{tag}-1"), "type": "billing.new_entity", "entity": tag,
        "login": tag, "password": "password-123", "name": tag}))
        .await["user_id"]
        .as_i64()
        .unwrap();
    app.billing(json!({"id": format!("{tag}-2"), "type": "billing.set_licences", "entity": tag,
        "analytics_l1": 5, "analytics_l2": 5, "analytics_l3": 5}))
        .await;
    let mac = format!("0c:00:00:00:00:{:02x}", user % 256);
    app.billing(json!({"id": format!("{tag}-3"), "type": "billing.new_camera", "entity": tag, "mac": mac, "serial_number": "S"}))
        .await;
    let camera = app.scalar(&format!("SELECT id FROM cameras WHERE mac = '{mac}'")).await;
    let (sub,): (i64,) = sqlx::query_as(
        "INSERT INTO users (parent_id, login, name, password_hash, search, created_at, updated_at) \
         VALUES ($1, $2, 'Sub', 'x', 'sub', $3, $3) RETURNING id",
    )
    .bind(user)
    .bind(format!("{tag}-sub"))
    .bind(T0)
    .fetch_one(&app.db().pool)
    .await
    .unwrap();
    for owner in [user, sub] {
        let (case,): (i64,) = sqlx::query_as(
            "INSERT INTO analytics_cases (user_id, account_id, name, type, level, created_at) \
             VALUES ($1, $2, 'Case', 'face', $3, $4) RETURNING id",
        )
        .bind(owner)
        .bind(user)
        .bind(level)
        .bind(T0)
        .fetch_one(&app.db().pool)
        .await
        .unwrap();
        exec(app, &format!("INSERT INTO case_cameras (case_id, camera_id) VALUES ({case}, {camera})")).await;
        exec(app, &format!("INSERT INTO case_events (case_id, kind, occurred_at, data, received_at) VALUES ({case}, 'seen', {T0}, '{{}}', {T0})")).await;
        exec(app, &format!("INSERT INTO user_sessions (token_hash, user_id, created_at, last_seen_at, expires_at) VALUES ('{tag}{owner}', {owner}, {T0}, {T0}, {})", T0 + DAY_MS)).await;
        exec(app, &format!("INSERT INTO audit_entries (at, actor_kind, actor_login, action, target_kind, target_id, target_label, user_id) VALUES ({T0}, 'user', '{tag}', 'test', 'user', {owner}, '{tag}', {user})")).await;
    }
    let csa = app.scalar("SELECT COUNT(*) FROM csa_codes").await;
    if csa == 0 {
        exec(app, "INSERT INTO csa_codes (code, city, street, house) VALUES ('R-1', 'Riga', 'Iela', '1')").await;
    }
    let (intercom,): (i64,) = sqlx::query_as(
        "INSERT INTO intercoms (name, csa_code, department, flat_from, flat_to, search, created_at) \
         VALUES ('Door', (SELECT MIN(code) FROM csa_codes), '1', 1, 10, 'door', 0) RETURNING id",
    )
    .fetch_one(&app.db().pool)
    .await
    .unwrap();
    exec(
        app,
        &format!(
            "INSERT INTO apartment_links (intercom_id, flat, user_id, created_at) VALUES ({intercom}, 1, {user}, {T0})"
        ),
    )
    .await;
    (user, sub)
}

/// Rows left of everything tied to `user` and `sub`.
async fn footprint(app: &TestApp, user: i64, sub: i64) -> i64 {
    let ids = format!("{user},{sub}");
    let mut n = 0;
    for sql in [
        format!("SELECT COUNT(*) FROM users WHERE id IN ({ids})"),
        format!("SELECT COUNT(*) FROM billing_events WHERE user_id IN ({ids})"),
        format!("SELECT COUNT(*) FROM audit_entries WHERE user_id IN ({ids})"),
        format!("SELECT COUNT(*) FROM analytics_cases WHERE account_id IN ({ids})"),
        format!("SELECT COUNT(*) FROM user_sessions WHERE user_id IN ({ids})"),
        format!("SELECT COUNT(*) FROM apartment_links WHERE user_id IN ({ids})"),
    ] {
        n += app.scalar(&sql).await;
    }
    n
}

async fn cases(app: &TestApp, account: i64) -> i64 {
    app.scalar(&format!("SELECT COUNT(*) FROM analytics_cases WHERE account_id = {account}")).await
}

/// What a run removed of the data of §8 (sessions and links past their end are counted apart).
async fn run(app: &TestApp, at: i64) -> retention::Report {
    let report = retention::run(app.db(), at, "test").await.unwrap().expect("lease free");
    retention::Report { expired_sessions: 0, impersonation_links: 0, throttle_rows: 0, ..report }
}

#[tokio::test]
async fn deleted_users_go_after_30_days_with_their_sub_users() {
    each_backend(|app| async move {
        app.state.clock.set_now_ms(T0);
        let (user, sub) = account(&app, "gone", 1).await;
        let (keep, keep_sub) = account(&app, "kept", 1).await;
        app.billing(json!({"id": "gone-9", "type": "billing.terminate_entity", "entity": "gone"})).await;
        let before = footprint(&app, user, sub).await;
        assert!(before > 8, "{before}");
        // The clock runs on from T0: count the days from the stored deletion time.
        let deleted = app.scalar(&format!("SELECT deleted_at FROM users WHERE id = {user}")).await;

        assert_eq!(run(&app, deleted + 29 * DAY_MS).await, retention::Report::default());
        assert_eq!(footprint(&app, user, sub).await, before);
        let report = run(&app, deleted + 30 * DAY_MS).await;
        assert_eq!(report.accounts, 2, "{report:?}");
        assert!(
            report.billing_events >= 4 && report.cases == 2 && report.case_events == 2 && report.apartment_links == 1
        );
        assert_eq!(footprint(&app, user, sub).await, 0);
        // Idempotent: day 31 finds nothing more, and the other account is untouched.
        assert_eq!(run(&app, deleted + 31 * DAY_MS).await, retention::Report::default());
        assert_eq!(cases(&app, keep).await, 2);
        assert!(footprint(&app, keep, keep_sub).await > 8);
        app
    })
    .await;
}

#[tokio::test]
async fn unlicensed_analytics_hide_then_go_after_7_days_unless_licences_return() {
    each_backend(|app| async move {
        app.state.clock.set_now_ms(T0);
        let (lost, _) = account(&app, "lost", 2).await;
        let (back, _) = account(&app, "back", 2).await;
        for tag in ["lost", "back"] {
            app.billing(json!({"id": format!("{tag}-z"), "type": "billing.set_licences", "entity": tag,
                "analytics_l1": 5, "analytics_l2": 0, "analytics_l3": 5}))
                .await;
        }
        // The Analytics tab no longer lists level 2's licences; it says its cases are kept,
        // hidden, and until when.
        let root = app.superadmin().await;
        let (_, tab) = app.call("user_licences", Some(&root), &[("id", &lost.to_string())]).await;
        assert!(tab["rows"].as_array().unwrap().iter().all(|r| r["level"] != 2), "{tab}");
        let zero = app.scalar(&format!("SELECT zero_since FROM licences WHERE user_id = {lost} AND level = 2")).await;
        let kept = &tab["kept"][0];
        assert_eq!((kept["level"].as_i64(), kept["cases"].as_i64()), (Some(2), Some(2)), "{tab}");
        assert_eq!(kept["purge_at"].as_i64(), Some(zero + 7 * DAY_MS));
        // Day 5: licences come back for one of them.
        app.state.clock.set_now_ms(zero + 5 * DAY_MS);
        app.billing(json!({"id": "back-r", "type": "billing.set_licences", "entity": "back",
            "analytics_l1": 5, "analytics_l2": 3, "analytics_l3": 5}))
            .await;
        assert_eq!(run(&app, zero + 6 * DAY_MS).await, retention::Report::default());
        assert_eq!(cases(&app, lost).await, 2);
        let report = run(&app, zero + 7 * DAY_MS).await;
        assert_eq!((report.cases, report.case_events, report.accounts), (2, 2, 0));
        assert_eq!(cases(&app, lost).await, 0);
        // The run says in the audit log what it removed.
        let root = app.sign_in("root", "password-123").await.unwrap();
        let (_, log) = app.call("audit_log", Some(&root), &[("action", "retention.purge")]).await;
        let entry = &log["rows"][0];
        assert_eq!(entry["actor_login"], "retention", "{log}");
        let details: Value = serde_json::from_str(entry["details"].as_str().unwrap()).unwrap();
        assert_eq!((details["cases"].as_i64(), details["case_events"].as_i64()), (Some(2), Some(2)));
        assert_eq!(run(&app, zero + 8 * DAY_MS).await, retention::Report::default());
        assert_eq!(cases(&app, back).await, 2, "restored on day 5: kept");
        app
    })
    .await;
}

#[tokio::test]
async fn concurrent_runs_remove_everything_once() {
    each_backend(|app| async move {
        app.state.clock.set_now_ms(T0);
        let mut accounts = Vec::new();
        for i in 0..6 {
            let tag = format!("many{i}");
            accounts.push(account(&app, &tag, 1).await);
            app.billing(json!({"id": format!("{tag}-t"), "type": "billing.terminate_entity", "entity": tag})).await;
        }
        let at = T0 + 40 * DAY_MS;
        let (a, b) = tokio::join!(retention::run(app.db(), at, "one"), retention::run(app.db(), at, "two"));
        let (a, b) = (a.unwrap(), b.unwrap());
        let removed: u64 = [a, b].iter().flatten().map(|r| r.accounts).sum();
        assert_eq!(removed, 12, "each account and sub-user removed exactly once");
        for (user, sub) in accounts {
            assert_eq!(footprint(&app, user, sub).await, 0);
        }
        // The lease was released: a later run may go.
        assert!(retention::run(app.db(), at, "three").await.unwrap().is_some());
        app
    })
    .await;
}

#[tokio::test]
async fn analytics_engines_report_case_events() {
    each_backend(|app| async move {
        app.state.clock.set_now_ms(T0);
        let (user, _) = account(&app, "seen", 1).await;
        let case = app.scalar(&format!("SELECT MIN(id) FROM analytics_cases WHERE account_id = {user}")).await;
        let post = |body: Value| {
            Request::post("/api/analytics/v1/events")
                .header(header::CONTENT_TYPE, "application/json")
                .header(header::AUTHORIZATION, "Bearer test-analytics-token")
                .body(Body::from(body.to_string()))
                .unwrap()
        };
        let (status, _, text) = app
            .request(post(json!({"case_id": case, "kind": "face recognised", "occurred_at": "2026-11-27T10:00:00+02:00", "data": {"score": 0.93}})))
            .await;
        assert_eq!(status, StatusCode::CREATED, "{text}");
        let (kind, data): (String, String) = sqlx::query_as("SELECT kind, data FROM case_events WHERE case_id = $1 ORDER BY id DESC")
            .bind(case)
            .fetch_one(&app.db().pool)
            .await
            .unwrap();
        assert_eq!((kind.as_str(), data.as_str()), ("face recognised", r#"{"score":0.93}"#));
        let (status, _, text) = app.request(post(json!({"case_id": case, "kind": "x"}))).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(text.contains("occurred_at"), "{text}");
        let (status, _, _) = app.request(post(json!({"case_id": 0}))).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        app
    })
    .await;
}
