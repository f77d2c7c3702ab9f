//! Exports: the rows of the list shown (same filters, same order), within the scope, in
//! RFC 4180 CSV with formulas defused or in JSON Lines, and each one in the audit log.

use crate::common::{each_backend, world, TestApp, OUTSIDE_CAMERA};
use axum::http::{header, StatusCode};
use serde_json::Value;

/// Reads RFC 4180 CSV: quoted fields may hold commas, doubled quotes and line breaks.
fn parse_csv(text: &str) -> Vec<Vec<String>> {
    let (mut rows, mut row, mut cell) = (Vec::new(), Vec::new(), String::new());
    let (mut quoted, mut chars) = (false, text.chars().peekable());
    while let Some(c) = chars.next() {
        match (quoted, c) {
            (true, '"') if chars.peek() == Some(&'"') => {
                chars.next();
                cell.push('"');
            }
            (true, '"') => quoted = false,
            (true, c) => cell.push(c),
            (false, '"') => quoted = true,
            (false, ',') => row.push(std::mem::take(&mut cell)),
            (false, '\r') => assert_eq!(chars.next(), Some('\n'), "CRLF line ends"),
            (false, '\n') => panic!("a bare LF ends a line"),
            (false, c) => cell.push(c),
        }
        if !quoted && c == '\r' {
            row.push(std::mem::take(&mut cell));
            rows.push(std::mem::take(&mut row));
        }
    }
    assert!(row.is_empty() && cell.is_empty(), "the last line ends with CRLF");
    rows
}

async fn download(app: &TestApp, path: &str, cookie: &str) -> (StatusCode, axum::http::HeaderMap, String) {
    app.get(path, Some(cookie)).await
}

/// Every page of a console list, through its server function, as the pages show them.
async fn all_rows(app: &TestApp, cookie: &str, endpoint: &str, form: &[(&str, &str)]) -> Vec<Value> {
    let (mut rows, mut after) = (Vec::new(), None::<String>);
    loop {
        let mut args = form.to_vec();
        if let Some(a) = &after {
            args.push(("after", a));
        }
        let (status, page) = app.call(endpoint, Some(cookie), &args).await;
        assert_eq!(status, StatusCode::OK, "{page}");
        rows.extend(page["rows"].as_array().unwrap().iter().cloned());
        match page["next"].as_str() {
            Some(n) => after = Some(n.to_string()),
            None => return rows,
        }
    }
}

fn ids(rows: &[Value], key: &str) -> Vec<i64> {
    rows.iter().map(|r| r[key].as_i64().unwrap()).collect()
}

#[tokio::test]
async fn exports_hold_the_rows_shown_in_their_order_with_their_filters() {
    each_backend(|app| async move {
        // 1,100 accounts (more than an export's chunk), some of them "smith"s, one named
        // like a formula.
        sqlx::query(
            "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 1100) \
             INSERT INTO users (entity, login, name, password_hash, properties, status, search, created_at, updated_at) \
             SELECT 'E' || i, 'login' || i, CASE WHEN i % 7 = 0 THEN 'Smith ' || i ELSE 'Person ' || i END, '', '{}', \
               CASE WHEN i % 5 = 0 THEN 'paused' ELSE 'active' END, \
               LOWER(CASE WHEN i % 7 = 0 THEN 'Smith ' || i ELSE 'Person ' || i END) || ' login' || i, \
               1000 + i % 50, 1000 FROM n",
        )
        .execute(&app.db().pool)
        .await
        .unwrap();
        app.billing(serde_json::json!({"id": "evil", "type": "billing.new_entity", "entity": "EVIL", "login": "evil",
            "password": "evil-password", "name": "=HYPERLINK(\"http://x\",\"y\"), +1"}))
            .await;
        let root = app.superadmin().await;

        for filters in [
            vec![("status", "all")],
            vec![("q", "smith"), ("sort", "name_desc")],
            vec![("q", "smi"), ("status", "paused"), ("sort", "oldest")],
        ] {
            let shown = all_rows(&app, &root, "users", &filters).await;
            let query: String = filters.iter().map(|(k, v)| format!("&{k}={v}")).collect();
            let (status, headers, csv) = download(&app, &format!("/users/export?format=csv{query}"), &root).await;
            assert_eq!(status, StatusCode::OK, "{csv}");
            assert_eq!(headers[header::CONTENT_TYPE], "text/csv; charset=utf-8; header=present");
            assert!(headers[header::CONTENT_DISPOSITION].to_str().unwrap().starts_with("attachment; filename=\"users-"));
            let table = parse_csv(&csv);
            assert_eq!(table[0], ["ID", "Name", "Login", "Status", "Entity", "Created"]);
            let exported: Vec<i64> = table[1..].iter().map(|r| r[0].parse().unwrap()).collect();
            assert_eq!(exported, ids(&shown, "id"), "{filters:?}");
            for (line, row) in table[1..].iter().zip(&shown) {
                assert_eq!((line[2].as_str(), line[3].as_str()), (row["login"].as_str().unwrap(), row["status"].as_str().unwrap()));
            }
            let (_, _, jsonl) = download(&app, &format!("/users/export?format=jsonl{query}"), &root).await;
            let lines: Vec<Value> = jsonl.lines().map(|l| serde_json::from_str(l).unwrap()).collect();
            assert_eq!(lines, shown, "JSON Lines hold the rows as the list sends them");
        }
        assert!(parse_csv(&download(&app, "/users/export?format=csv&status=all", &root).await.2).len() > 1_100);

        // A name that is a formula stays text in a spreadsheet; JSON keeps it as it is.
        let (_, _, csv) = download(&app, "/users/export?q=evil", &root).await;
        assert!(csv.contains("\"'=HYPERLINK(\"\"http://x\"\",\"\"y\"\"), +1\""), "{csv}");
        assert_eq!(parse_csv(&csv)[1][1], "'=HYPERLINK(\"http://x\",\"y\"), +1");
        let (_, _, jsonl) = download(&app, "/users/export?q=evil&format=jsonl", &root).await;
        assert_eq!(serde_json::from_str::<Value>(jsonl.trim()).unwrap()["name"], "=HYPERLINK(\"http://x\",\"y\"), +1");

        // Every export is in the audit log, with its table, format and filters.
        let (_, log) = app.call("audit_log", Some(&root), &[("action", "admin.export")]).await;
        let newest: Value = serde_json::from_str(log["rows"][0]["details"].as_str().unwrap()).unwrap();
        assert_eq!(newest["table"], "users");
        assert_eq!((newest["format"].as_str(), newest["filters"]["q"].as_str()), (Some("jsonl"), Some("evil")));
        assert_eq!(log["total"], 9);

        // Bad input: a format, a status.
        assert_eq!(download(&app, "/users/export?format=xlsx", &root).await.0, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(download(&app, "/users/export?status=gone", &root).await.0, StatusCode::UNPROCESSABLE_ENTITY);
        app
    })
    .await;
}

#[tokio::test]
async fn a_scoped_administrators_exports_hold_only_its_scope_and_need_their_permissions() {
    each_backend(|app| async move {
        let w = world(&app).await;
        let root = app.superadmin().await;
        app.create_admin("scoped", "admin", &["users-view"], &["IN-1"], &[]).await;
        let scoped = app.sign_in("scoped", "password-123").await.unwrap();
        let cameras = format!("/users/{}/cameras/export?format=jsonl", w.user);
        let of = |text: &str| {
            text.lines().map(|l| serde_json::from_str::<Value>(l).unwrap()["id"].as_i64().unwrap()).collect::<Vec<_>>()
        };
        let mut both = vec![OUTSIDE_CAMERA, w.inside];
        both.sort();
        assert_eq!(of(&download(&app, &cameras, &root).await.2), both, "by id");
        assert_eq!(of(&download(&app, &cameras, &scoped).await.2), [w.inside], "only the camera in scope");
        let shown = all_rows(&app, &scoped, "user_cameras", &[("id", &w.user.to_string())]).await;
        assert_eq!(ids(&shown, "id"), [w.inside]);

        // Billing events: the tab's rows with its type filter, masked as the tab masks them.
        let id = w.user.to_string();
        for form in [vec![("id", id.as_str())], vec![("id", id.as_str()), ("event_type", "billing.attach_camera")]] {
            let shown = all_rows(&app, &scoped, "user_billing_events", &form).await;
            let query = form.get(1).map(|(_, t)| format!("&type={t}")).unwrap_or_default();
            let (status, _, jsonl) =
                download(&app, &format!("/users/{}/billing-events/export?format=jsonl{query}", w.user), &scoped).await;
            assert_eq!(status, StatusCode::OK, "{jsonl}");
            let lines: Vec<Value> = jsonl.lines().map(|l| serde_json::from_str(l).unwrap()).collect();
            assert_eq!(lines, shown);
            assert!(!jsonl.contains(crate::common::OUTSIDE_SERIAL), "masked outside the scope");
        }
        // The Intercoms and Sub-users tabs.
        let subs = all_rows(&app, &scoped, "user_sub_users", &[("id", &id)]).await;
        let (_, _, csv) = download(&app, &format!("/users/{}/sub-users/export", w.user), &scoped).await;
        assert_eq!(
            parse_csv(&csv)[1..].iter().map(|r| r[0].parse::<i64>().unwrap()).collect::<Vec<_>>(),
            ids(&subs, "id")
        );
        assert_eq!(ids(&subs, "id"), [w.sub]);
        let (status, _, csv) = download(&app, &format!("/users/{}/intercoms/export", w.user), &scoped).await;
        assert_eq!((status, parse_csv(&csv).len()), (StatusCode::OK, 1), "a header and no apartments");

        // Not an account; no permission; no session.
        let sub = format!("/users/{}/cameras/export", w.sub);
        assert_eq!(download(&app, &sub, &root).await.0, StatusCode::NOT_FOUND);
        assert_eq!(download(&app, "/administrators/export", &scoped).await.0, StatusCode::FORBIDDEN);
        assert_eq!(download(&app, "/audit-log/export", &scoped).await.0, StatusCode::FORBIDDEN);
        let (status, headers, _) = app.get("/users/export", None).await;
        assert!(status.is_redirection() && headers[header::LOCATION].to_str().unwrap().starts_with("/login"));

        // The administrators list and the audit log, as their pages show them.
        let (_, admins) = app.call("admins", Some(&root), &[]).await;
        let (_, _, jsonl) = download(&app, "/administrators/export?format=jsonl", &root).await;
        let lines: Vec<Value> = jsonl.lines().map(|l| serde_json::from_str(l).unwrap()).collect();
        assert_eq!(Value::Array(lines), admins);
        let (_, _, csv) = download(&app, "/administrators/export", &root).await;
        let table = parse_csv(&csv);
        assert_eq!(table[1][1..4], ["root", "root", "superadmin"]);
        assert_eq!(table[1][4], "all");
        let shown = all_rows(&app, &root, "audit_log", &[("action", "admin.export")]).await;
        let (_, _, jsonl) = download(&app, "/audit-log/export?format=jsonl&action=admin.export", &root).await;
        let lines: Vec<Value> = jsonl.lines().map(|l| serde_json::from_str(l).unwrap()).collect();
        // The export of the log is itself recorded before its rows are read.
        assert_eq!(lines[1..], shown[..]);
        assert_eq!(lines[0]["details"].as_str().map(|d| d.contains("audit-log")), Some(true));
        app
    })
    .await;
}
