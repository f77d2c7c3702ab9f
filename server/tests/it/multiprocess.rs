//! Two `server` processes on one PostgreSQL database, as behind a load balancer (README,
//! "Several server processes"): sessions made on one work on the other, billing requests
//! spread over both are applied exactly once, environment events reach clients connected to
//! either (LISTEN/NOTIFY), and retention runs once. Needs `TEST_POSTGRES_URL`; skipped
//! without it. Also a server killed in the middle of a bulk import (both databases).

use http_body_util::{BodyExt, Full};
use hyper::body::Bytes;
use hyper::{header, Request, StatusCode};
use serde_json::{json, Value};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

const BILLING: &str = "mp-billing-token";

/// A running `server` process, stopped when dropped.
struct Server {
    child: Child,
    port: u16,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

fn server_command(db_url: &str) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_server"));
    cmd.env("DATABASE_URL", db_url)
        .env("VMS_BILLING_TOKENS", BILLING)
        .env("VMS_BOOTSTRAP_ADMIN", "root:root-password-1")
        .env("LEPTOS_OUTPUT_NAME", "vms")
        .env("LEPTOS_SITE_ROOT", std::env::temp_dir().join("vms-multiprocess-site"))
        .env("RUST_LOG", "warn")
        .env_remove("VMS_DEMO_DATA");
    cmd
}

async fn start(db_url: &str) -> Server {
    let port = free_port();
    let child = server_command(db_url)
        .env("LEPTOS_SITE_ADDR", format!("127.0.0.1:{port}"))
        .stdout(Stdio::null())
        .spawn()
        .expect("server binary");
    let server = Server { child, port };
    for _ in 0..300 {
        if let Ok((StatusCode::OK, _, _)) = try_send(port, "GET", "/healthz", &[], "").await {
            return server;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("server on port {port} did not start");
}

type Reply = (StatusCode, hyper::HeaderMap, String);

async fn try_send(port: u16, method: &str, path: &str, headers: &[(&str, &str)], body: &str) -> Result<Reply, String> {
    let res = open(port, method, path, headers, body).await?;
    let (parts, body) = res.into_parts();
    let bytes = body.collect().await.map_err(|e| e.to_string())?.to_bytes();
    Ok((parts.status, parts.headers, String::from_utf8_lossy(&bytes).into_owned()))
}

async fn open(
    port: u16,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: &str,
) -> Result<hyper::Response<hyper::body::Incoming>, String> {
    let stream = tokio::net::TcpStream::connect(("127.0.0.1", port)).await.map_err(|e| e.to_string())?;
    let (mut sender, conn) =
        hyper::client::conn::http1::handshake(hyper_util::rt::TokioIo::new(stream)).await.map_err(|e| e.to_string())?;
    tokio::spawn(conn);
    let mut req = Request::builder().method(method).uri(path).header(header::HOST, format!("127.0.0.1:{port}"));
    for (k, v) in headers {
        req = req.header(*k, *v);
    }
    let req = req.body(Full::new(Bytes::from(body.to_string()))).map_err(|e| e.to_string())?;
    sender.send_request(req).await.map_err(|e| e.to_string())
}

async fn send(port: u16, method: &str, path: &str, headers: &[(&str, &str)], body: &str) -> Reply {
    try_send(port, method, path, headers, body).await.unwrap_or_else(|e| panic!("{method} {path} on {port}: {e}"))
}

async fn billing(port: u16, body: Value) -> (StatusCode, Value) {
    let auth = format!("Bearer {BILLING}");
    let headers = [("content-type", "application/json"), ("authorization", auth.as_str())];
    let (status, _, text) = send(port, "POST", "/api/billing/v1/requests", &headers, &body.to_string()).await;
    (status, serde_json::from_str(&text).unwrap_or(Value::String(text)))
}

/// A fresh database on the test server; dropped at the end.
struct TestDb {
    admin_url: String,
    name: String,
    url: String,
}

impl TestDb {
    async fn create(admin_url: &str) -> Self {
        use sqlx::Connection;
        app::backend::db::install_drivers();
        let name = format!("vms_mp_{}_{}", std::process::id(), free_port());
        let mut c = sqlx::AnyConnection::connect(admin_url).await.unwrap();
        sqlx::query(&format!("CREATE DATABASE {name}")).execute(&mut c).await.unwrap();
        let base = admin_url.rsplit_once('/').map(|(b, _)| b).unwrap_or(admin_url);
        Self { admin_url: admin_url.to_string(), url: format!("{base}/{name}"), name }
    }

    async fn drop_db(&self) {
        use sqlx::Connection;
        if let Ok(mut c) = sqlx::AnyConnection::connect(&self.admin_url).await {
            let _ = sqlx::query(&format!("DROP DATABASE IF EXISTS {} WITH (FORCE)", self.name)).execute(&mut c).await;
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_server_processes_share_one_postgresql_database() {
    let Ok(admin_url) = std::env::var("TEST_POSTGRES_URL") else {
        eprintln!("TEST_POSTGRES_URL not set: skipping the two-process test");
        return;
    };
    let db = TestDb::create(&admin_url).await;
    // Migrations and the bootstrap administrator come from the first process.
    let a = start(&db.url).await;
    let b = start(&db.url).await;
    let pool = app::backend::db::Db::connect(&db.url).await.unwrap();
    sqlx::query("INSERT INTO csa_codes (code, city, street, house) VALUES ('MP-1', 'Riga', 'Iela', '1')")
        .execute(&pool.pool)
        .await
        .unwrap();

    // An administrator signed in on A is signed in on B.
    let form = [("content-type", "application/x-www-form-urlencoded"), ("accept", "application/json")];
    let (status, headers, text) =
        send(a.port, "POST", "/api/console/sign_in", &form, "login=root&password=root-password-1").await;
    assert_eq!(status, StatusCode::OK, "{text}");
    let cookie = headers[header::SET_COOKIE].to_str().unwrap().split(';').next().unwrap().to_string();
    let with_cookie = [form[0], form[1], ("cookie", cookie.as_str())];
    let (status, _, me) = send(b.port, "POST", "/api/console/me", &with_cookie, "").await;
    assert_eq!(status, StatusCode::OK, "{me}");
    assert!(me.contains("\"root\""), "{me}");

    // Billing requests spread over both, each sent to both at once: applied exactly once.
    let (status, v) = billing(a.port, json!({"id": "mp-0", "type": "billing.new_entity", "entity": "MP", "login": "mp-user", "password": "mp-password-1", "name": "MP"})).await;
    assert_eq!(status, StatusCode::OK, "{v}");
    assert_eq!(
        billing(b.port, json!({"id": "mp-1", "type": "billing.create_location", "entity": "MP", "csa": "MP-1"}))
            .await
            .0,
        StatusCode::OK
    );
    let mut sends = Vec::new();
    for i in 0..20 {
        let mac = format!("0e:00:00:00:00:{i:02x}");
        let camera = json!({"id": format!("mp-cam-{i}"), "type": "billing.new_camera", "entity": "MP", "mac": mac, "serial_number": "S"});
        let attach = json!({"id": format!("mp-att-{i}"), "type": "billing.attach_camera", "entity": "MP", "mac": mac, "csa": "MP-1"});
        sends.push((camera.clone(), attach.clone()));
    }
    let cameras = futures::future::join_all(
        sends.iter().flat_map(|(camera, _)| [billing(a.port, camera.clone()), billing(b.port, camera.clone())]),
    )
    .await;
    for pair in cameras.chunks(2) {
        assert_eq!((pair[0].0, pair[1].0), (StatusCode::OK, StatusCode::OK), "{pair:?}");
        assert_eq!(pair[0].1["event_id"], pair[1].1["event_id"], "one event for one request id");
    }
    let attaches = futures::future::join_all(
        sends.iter().flat_map(|(_, attach)| [billing(b.port, attach.clone()), billing(a.port, attach.clone())]),
    )
    .await;
    assert!(attaches.iter().all(|(s, _)| *s == StatusCode::OK), "{attaches:?}");
    let count = |sql: &'static str| {
        let pool = pool.pool.clone();
        async move { sqlx::query_as::<_, (i64,)>(sql).fetch_one(&pool).await.unwrap().0 }
    };
    assert_eq!(count("SELECT COUNT(*) FROM billing_events WHERE request_id LIKE 'mp-cam-%'").await, 20);
    assert_eq!(count("SELECT COUNT(*) FROM cameras").await, 20);
    assert_eq!(count("SELECT COUNT(*) FROM camera_access").await, 20);

    // A user session made on A works on B.
    let json_headers = [("content-type", "application/json")];
    let (status, _, text) = send(
        a.port,
        "POST",
        "/api/client/v1/sessions",
        &json_headers,
        r#"{"login":"mp-user","password":"mp-password-1"}"#,
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{text}");
    let token: Value = serde_json::from_str(&text).unwrap();
    let bearer = format!("Bearer {}", token["token"].as_str().unwrap());
    let (status, _, env) =
        send(b.port, "GET", "/api/client/v1/environment", &[("authorization", bearer.as_str())], "").await;
    assert_eq!(status, StatusCode::OK, "{env}");
    assert_eq!(serde_json::from_str::<Value>(&env).unwrap()["cameras"].as_array().unwrap().len(), 20);

    // A client connected to B hears of a change made through A, well before B's own
    // 10-second re-check: the notification crossed processes.
    let res = open(b.port, "GET", "/api/client/v1/environment/events", &[("authorization", bearer.as_str())], "")
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    let mut body = res.into_body();
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(
        billing(a.port, json!({"id": "mp-pause", "type": "billing.pause_entity", "entity": "MP"})).await.0,
        StatusCode::OK
    );
    let frame = tokio::time::timeout(Duration::from_secs(3), async {
        loop {
            let f = body.frame().await.expect("stream open").expect("frame");
            if let Some(data) = f.data_ref() {
                let text = String::from_utf8_lossy(data).to_string();
                if text.contains("event: environment") {
                    return text;
                }
            }
        }
    })
    .await
    .expect("an environment event on B within 3 s of a change on A");
    assert!(frame.contains("\"version\""), "{frame}");

    // Retention started from two processes at once removes the terminated account once.
    assert_eq!(
        billing(b.port, json!({"id": "mp-end", "type": "billing.terminate_entity", "entity": "MP"})).await.0,
        StatusCode::OK
    );
    let at = app::domain::time::format_rfc3339(
        std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_millis() as i64
            + 31 * 86_400_000,
    );
    let runs: Vec<_> = (0..2)
        .map(|_| {
            server_command(&db.url)
                .args(["retention", "--at", &at])
                .stdout(Stdio::piped())
                .stderr(Stdio::piped())
                .spawn()
                .unwrap()
        })
        .collect();
    let outputs: Vec<String> = runs
        .into_iter()
        .map(|c| {
            let out = c.wait_with_output().unwrap();
            format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr))
        })
        .collect();
    let removed: usize = outputs.iter().filter(|o| o.contains("removed 1 accounts")).count();
    assert_eq!(removed, 1, "exactly one run removed the account: {outputs:?}");
    assert_eq!(count("SELECT COUNT(*) FROM users WHERE login = 'mp-user'").await, 0);
    assert_eq!(count("SELECT COUNT(*) FROM billing_events WHERE request_id = 'mp-0'").await, 0);

    drop((a, b));
    pool.pool.close().await;
    db.drop_db().await;
}

/// Bulk onboarding through `POST /api/billing/v1/batch` while the server is killed
/// (SIGKILL) mid-way and started again: the caller sends every batch again, as an import
/// interrupted by a dead server would, and every request is applied exactly once. On SQLite,
/// and on PostgreSQL with `TEST_POSTGRES_URL`.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_server_killed_mid_import_loses_and_doubles_no_request() {
    let dir = std::env::temp_dir().join(format!("vms_killed_{}", free_port()));
    std::fs::create_dir_all(&dir).unwrap();
    let mut urls = vec![(format!("sqlite://{}/killed.db", dir.display()), None)];
    if let Ok(admin_url) = std::env::var("TEST_POSTGRES_URL") {
        let db = TestDb::create(&admin_url).await;
        urls.push((db.url.clone(), Some(db)));
    }
    const N: usize = 6_000;
    const BATCH: usize = 250;
    let hash = crate::onboarding::billing_hash("onboarded-password", 19456, 2);
    let batches: Vec<String> = (0..N / BATCH)
        .map(|b| {
            let requests: Vec<Value> = (b * BATCH..(b + 1) * BATCH)
                .map(|i| {
                    json!({"id": format!("kill-{i}"), "type": "billing.new_entity", "entity": format!("KILL-{i}"),
                                "login": format!("kill{i}"), "name": format!("Killed {i}"), "password_hash": hash})
                })
                .collect();
            json!({ "requests": requests }).to_string()
        })
        .collect();
    let auth = format!("Bearer {BILLING}");
    let headers = [("content-type", "application/json"), ("authorization", auth.as_str())];
    for (url, pg) in urls {
        let db = app::backend::db::Db::connect(&url).await.unwrap();
        let count = |sql: &'static str| {
            let pool = db.pool.clone();
            async move { sqlx::query_as::<_, (i64,)>(sql).fetch_one(&pool).await.unwrap().0 }
        };

        // Batches go in one after another until the server is killed among them.
        let mut server = start(&url).await;
        let port = server.port;
        let sender = {
            let batches = batches.clone();
            let headers: Vec<(String, String)> = headers.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
            tokio::spawn(async move {
                let headers: Vec<(&str, &str)> = headers.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
                for body in &batches {
                    if try_send(port, "POST", "/api/billing/v1/batch", &headers, body).await.is_err() {
                        break;
                    }
                }
            })
        };
        let mut at_kill = 0;
        for _ in 0..600 {
            at_kill = count("SELECT COUNT(*) FROM billing_events").await;
            if at_kill >= 1_000 {
                break;
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        server.child.kill().unwrap(); // SIGKILL
        server.child.wait().unwrap();
        sender.await.unwrap();
        let after_kill = count("SELECT COUNT(*) FROM billing_events").await;
        assert!(at_kill >= 1_000 && after_kill < N as i64, "{url}: killed mid-import ({after_kill} of {N})");

        // Started again, every batch sent again: each request answered as applied once.
        server = start(&url).await;
        for body in &batches {
            let (status, _, text) = send(server.port, "POST", "/api/billing/v1/batch", &headers, body).await;
            assert_eq!(status, StatusCode::OK, "{text}");
            let answer: Value = serde_json::from_str(&text).unwrap();
            for result in answer["results"].as_array().unwrap() {
                assert_eq!(
                    (result["status"].as_u64(), result["body"]["outcome"].as_str()),
                    (Some(200), Some("applied")),
                    "{result}"
                );
            }
        }
        assert_eq!(count("SELECT COUNT(*) FROM billing_events").await, N as i64, "{url}: one event a request");
        assert_eq!(
            count("SELECT COUNT(DISTINCT request_id) FROM billing_events WHERE outcome = 'applied'").await,
            N as i64
        );
        assert_eq!(count("SELECT COUNT(*) FROM users").await, N as i64, "{url}: every subscriber once");
        drop(server);
        db.pool.close().await;
        if let Some(pg) = pg {
            pg.drop_db().await;
        }
    }
    let _ = std::fs::remove_dir_all(&dir);
}
