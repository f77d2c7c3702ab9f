//! `/metrics`, `/readyz` and `/healthz`: what the platform team watches the service by.

use crate::common::{each_backend, TestApp};
use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use serde_json::json;

fn scrape(token: Option<&str>) -> Request<Body> {
    let mut req = Request::get("/metrics");
    if let Some(t) = token {
        req = req.header(header::AUTHORIZATION, format!("Bearer {t}"));
    }
    req.body(Body::empty()).unwrap()
}

async fn metrics(app: &TestApp) -> String {
    let (status, headers, text) = app.request(scrape(Some("test-metrics-token"))).await;
    assert_eq!(status, StatusCode::OK, "{text}");
    assert_eq!(headers[header::CONTENT_TYPE], "text/plain; version=0.0.4; charset=utf-8");
    text
}

fn has(text: &str, line: &str) {
    assert!(text.lines().any(|l| l == line), "no line\n{line}\nin\n{text}");
}

#[tokio::test]
async fn metrics_count_billing_requests_sign_ins_and_routes_for_token_holders_only() {
    each_backend(|app| async move {
        // Only for holders of a metrics token; not served at all where none is configured.
        assert_eq!(app.request(scrape(None)).await.0, StatusCode::UNAUTHORIZED);
        assert_eq!(app.request(scrape(Some("test-billing-token"))).await.0, StatusCode::UNAUTHORIZED);
        let (untokened, _) = app.reconfigured(|c| c.metrics_tokens.clear());
        assert_eq!(app.request_via(&untokened, scrape(Some("test-metrics-token"))).await.0, StatusCode::NOT_FOUND);

        app.billing(json!({"id": "m-1", "type": "billing.new_entity", "entity": "E1", "login": "anna",
                           "password": "anna-password", "name": "Anna"}))
            .await;
        let unknown = json!({"id": "m-2", "type": "billing.nope", "entity": "E1"});
        assert_eq!(app.billing_request(&unknown).await.0, StatusCode::UNPROCESSABLE_ENTITY);
        let unauthorised = Request::post("/api/billing/v1/requests")
            .header(header::CONTENT_TYPE, "application/json")
            .body(Body::from("{}"))
            .unwrap();
        assert_eq!(app.request(unauthorised).await.0, StatusCode::UNAUTHORIZED);
        app.superadmin().await;
        assert!(app.sign_in("root", "not-the-password").await.is_err());

        let text = metrics(&app).await;
        has(&text, r#"vms_billing_requests_total{type="billing.new_entity",outcome="applied"} 1"#);
        has(&text, r#"vms_billing_requests_total{type="billing.unknown_type",outcome="rejected"} 1"#);
        has(&text, r#"vms_billing_requests_total{type="none",outcome="refused"} 1"#);
        has(&text, r#"vms_sign_ins_total{realm="admin",result="ok"} 1"#);
        has(&text, r#"vms_sign_ins_total{realm="admin",result="refused"} 1"#);
        has(&text, r#"vms_http_requests_total{method="POST",route="/api/billing/v1/requests",status="200"} 1"#);
        has(&text, r#"vms_http_requests_total{method="POST",route="/api/billing/v1/requests",status="422"} 1"#);
        has(&text, r#"vms_http_requests_total{method="POST",route="/api/billing/v1/requests",status="401"} 1"#);
        has(&text, r#"vms_http_request_duration_seconds_count{method="POST",route="/api/billing/v1/requests"} 3"#);
        has(
            &text,
            r#"vms_http_request_duration_seconds_bucket{method="POST",route="/api/billing/v1/requests",le="+Inf"} 3"#,
        );
        has(&text, r#"vms_http_requests_total{method="POST",route="/api/console/sign_in",status="200"} 1"#);
        // The scrapes refused above count too, under their route.
        has(&text, r#"vms_http_requests_total{method="GET",route="/metrics",status="401"} 2"#);
        let max = if app.backend == app::backend::db::Backend::Sqlite { 8 } else { 16 };
        has(&text, &format!("vms_db_pool_max_connections {max}"));
        has(&text, "vms_event_streams_open 0");
        app
    })
    .await;
}

#[tokio::test]
async fn readyz_needs_the_database_with_every_migration_and_healthz_only_the_process() {
    each_backend(|app| async move {
        assert_eq!(app.get("/readyz", None).await.0, StatusCode::OK);
        sqlx::query("DELETE FROM _sqlx_migrations WHERE version = 3").execute(&app.db().pool).await.unwrap();
        let (status, _, text) = app.get("/readyz", None).await;
        assert_eq!(
            (status, text.as_str()),
            (StatusCode::SERVICE_UNAVAILABLE, "not ready: migration 3 (sessions and sign in) is not applied")
        );
        app.db().pool.close().await;
        let (status, _, text) = app.get("/readyz", None).await;
        assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE);
        assert!(text.starts_with("not ready: database unreachable"), "{text}");
        let (status, _, text) = app.get("/healthz", None).await;
        assert_eq!((status, text.as_str()), (StatusCode::OK, "ok"), "the process still answers");
        app
    })
    .await;
}

#[tokio::test]
async fn with_vms_log_format_json_every_log_line_is_a_json_object() {
    let dir = std::env::temp_dir().join(format!("vms_json_logs_{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let mut server = std::process::Command::new(env!("CARGO_BIN_EXE_server"))
        .env("DATABASE_URL", format!("sqlite://{}/logs.db", dir.display()))
        .env("VMS_LOG_FORMAT", "json")
        .env("RUST_LOG", "info")
        .env("VMS_BOOTSTRAP_ADMIN", "root:root-password-1")
        .env("LEPTOS_SITE_ADDR", format!("127.0.0.1:{port}"))
        .env("LEPTOS_OUTPUT_NAME", "vms")
        .env("LEPTOS_SITE_ROOT", dir.join("site"))
        .env_remove("VMS_DEMO_DATA")
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let mut up = false;
    for _ in 0..300 {
        if tokio::net::TcpStream::connect(("127.0.0.1", port)).await.is_ok() {
            up = true;
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    server.kill().unwrap();
    let out = server.wait_with_output().unwrap();
    let _ = std::fs::remove_dir_all(&dir);
    assert!(up, "the server started");
    let text = String::from_utf8_lossy(&out.stdout);
    let lines: Vec<&str> = text.lines().filter(|l| !l.trim().is_empty()).collect();
    let logs: Vec<serde_json::Value> =
        lines.iter().map(|l| serde_json::from_str(l).unwrap_or_else(|_| panic!("not JSON: {l}"))).collect();
    let messages: Vec<&str> = logs.iter().filter_map(|l| l["fields"]["message"].as_str()).collect();
    assert!(messages.contains(&"bootstrap superadmin created"), "{messages:?}");
    assert!(messages.contains(&"VMS Admin Console listening"), "{messages:?}");
    assert!(logs.iter().all(|l| l["level"].is_string() && l["timestamp"].is_string()), "{text}");
    assert!(!text.contains("root-password-1"), "no password in the logs");
}
