//! Counts that stop at 1,000 ("1,000+") where counting every row would cost more than
//! the page: a broad users search and a heavy user's Billing Events, every row still
//! reachable page by page — on SQLite and on PostgreSQL.

use crate::common::each_backend;
use crate::console::all_pages;
use axum::http::StatusCode;

#[tokio::test]
async fn a_broad_search_counts_up_to_a_thousand_and_pages_through_all() {
    each_backend(|app| async move {
        // 1,100 accounts named alike, 30 of them deleted, and one other.
        sqlx::query(
            "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 1100) \
             INSERT INTO users (login, name, password_hash, status, search, created_at, updated_at) \
             SELECT 'alike' || i, 'Alike Person', 'x', CASE WHEN i <= 30 THEN 'deleted' ELSE 'active' END, \
             'alike person alike' || i, i, i FROM n",
        )
        .execute(&app.db().pool)
        .await
        .unwrap();
        sqlx::query("INSERT INTO users (login, name, password_hash, search, created_at, updated_at) VALUES ('other', 'Other One', 'x', 'other one other', 5, 5)")
            .execute(&app.db().pool)
            .await
            .unwrap();
        let cookie = app.superadmin().await;
        let (status, page) = app.call("users", Some(&cookie), &[("q", "Alike P")]).await;
        assert_eq!(status, StatusCode::OK, "{page}");
        assert_eq!((page["total"].as_i64(), page["total_capped"].as_bool()), (Some(1_000), Some(true)));
        assert_eq!(page["rows"][0]["login"], "alike1100", "newest first");
        // Every match is reachable page by page; deleted ones stay hidden.
        let (rows, _) = all_pages(&app, &cookie, "users", &[("q", "alike p"), ("sort", "login")]).await;
        assert_eq!(rows.len(), 1_070);
        assert!(rows.iter().all(|r| r["status"] == "active"));
        // Narrow searches and the unsearched list keep exact totals.
        let (_, page) = app.call("users", Some(&cookie), &[("q", "alike1099")]).await;
        assert_eq!((page["total"].as_i64(), page["total_capped"].as_bool()), (Some(1), Some(false)));
        let (_, page) = app.call("users", Some(&cookie), &[]).await;
        assert_eq!((page["total"].as_i64(), page["total_capped"].as_bool()), (Some(1_071), Some(false)));
        app
    })
    .await;
}

#[tokio::test]
async fn a_heavy_users_billing_events_count_up_to_a_thousand_and_page_through_all() {
    each_backend(|app| async move {
        let (user,): (i64,) = sqlx::query_as(
            "INSERT INTO users (login, name, password_hash, search, created_at, updated_at) \
             VALUES ('heavy', 'Heavy', 'x', 'heavy heavy', 1, 1) RETURNING id",
        )
        .fetch_one(&app.db().pool)
        .await
        .unwrap();
        // 1,100 events: 1,090 pauses and 10 location requests.
        sqlx::query(
            "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 1100) \
             INSERT INTO billing_events (request_id, type, entity, user_id, body_hash, payload, outcome, status, response, created_at) \
             SELECT 'heavy-' || i, CASE WHEN i % 110 = 0 THEN 'billing.create_location' ELSE 'billing.pause_entity' END, \
             'E-HEAVY', $1, 'h', '{}', 'applied', 200, '{}', i FROM n",
        )
        .bind(user)
        .execute(&app.db().pool)
        .await
        .unwrap();
        let cookie = app.superadmin().await;
        let id = user.to_string();
        let (status, page) = app.call("user_billing_events", Some(&cookie), &[("id", &id)]).await;
        assert_eq!(status, StatusCode::OK, "{page}");
        assert_eq!((page["total"].as_i64(), page["total_capped"].as_bool()), (Some(1_000), Some(true)));
        assert_eq!(page["rows"][0]["request_id"], "heavy-1100", "newest first");
        let (events, _) = all_pages(&app, &cookie, "user_billing_events", &[("id", &id)]).await;
        assert_eq!(events.len(), 1_100, "every event is reachable page by page");
        let filter = [("id", id.as_str()), ("event_type", "billing.create_location")];
        let (status, page) = app.call("user_billing_events", Some(&cookie), &filter).await;
        assert_eq!(status, StatusCode::OK, "{page}");
        assert_eq!((page["total"].as_i64(), page["total_capped"].as_bool()), (Some(10), Some(false)));
        app
    })
    .await;
}
